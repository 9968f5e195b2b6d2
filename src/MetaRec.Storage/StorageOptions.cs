using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using MetaRec.Storage.Embeddings;
using MetaRec.Storage.Interactions;
using MetaRec.Storage.Registry;
using MetaRec.Storage.Snapshots;
using MetaRec.Storage.Windows;

namespace MetaRec.Storage;

/// <summary>
/// Where storage lives. <c>folder</c> (default): a local folder with the blob layout. <c>azure</c>:
/// a connection string (Azurite or an account key), or account URLs with
/// <c>DefaultAzureCredential</c>.
/// </summary>
public sealed record StorageOptions
{
    /// <summary>folder or azure. Default folder.</summary>
    public string Backend { get; init; } = "folder";

    /// <summary>Root folder of the folder backend. Default ".metarec".</summary>
    public string Folder { get; init; } = ".metarec";

    /// <summary>Azure Storage connection string (azure backend); or leave empty and set the URLs.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Blob service URL, e.g. https://account.blob.core.windows.net (azure backend without a connection string).</summary>
    public Uri? BlobServiceUrl { get; init; }

    /// <summary>Table service URL, e.g. https://account.table.core.windows.net.</summary>
    public Uri? TableServiceUrl { get; init; }

    /// <summary>Blob container for models, interactions and plugins. Default "metarec".</summary>
    public string Container { get; init; } = "metarec";

    /// <summary>Table for embeddings. Default "embeddings".</summary>
    public string Table { get; init; } = "embeddings";

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that is wrong.</summary>
    public void Validate()
    {
        switch (Backend)
        {
            case "folder":
                if (string.IsNullOrWhiteSpace(Folder))
                {
                    throw new ArgumentException("Storage:Folder must name a folder for the folder backend", nameof(Folder));
                }
                break;
            case "azure":
                if (string.IsNullOrWhiteSpace(ConnectionString) && (BlobServiceUrl is null || TableServiceUrl is null))
                {
                    throw new ArgumentException(
                        "the azure backend needs Storage:ConnectionString, or both Storage:BlobServiceUrl and Storage:TableServiceUrl (used with DefaultAzureCredential)",
                        nameof(ConnectionString));
                }
                StorageNames.Family(Container); // same rules as container names: lower case, digits, '-'
                if (Table.Length is < 3 or > 63 || !Table.All(char.IsAsciiLetterOrDigit) || !char.IsAsciiLetter(Table[0]))
                {
                    throw new ArgumentException($"Storage:Table '{Table}' must be 3–63 letters or digits, starting with a letter", nameof(Table));
                }
                break;
            default:
                throw new ArgumentException($"Storage:Backend must be folder or azure, not '{Backend}'", nameof(Backend));
        }
    }

    public IModelRegistry CreateRegistry() => Backend == "folder" ? new FolderModelRegistry(Folder) : new BlobModelRegistry(BlobContainer());

    public IEmbeddingStore CreateEmbeddingStore() => Backend == "folder" ? new FolderEmbeddingStore(Folder) : new TableEmbeddingStore(TableClient());

    public IInteractionLog CreateInteractionLog() => Backend == "folder" ? new FolderInteractionLog(Folder) : new BlobInteractionLog(BlobContainer());

    public IUserWindowStore CreateWindowStore() => Backend == "folder" ? new FolderUserWindowStore(Folder) : new BlobUserWindowStore(BlobContainer());

    public ISnapshotStore CreateSnapshotStore() => Backend == "folder" ? new FolderSnapshotStore(Folder) : new BlobSnapshotStore(BlobContainer());

    public BlobContainerClient BlobContainer() => string.IsNullOrWhiteSpace(ConnectionString)
        ? new BlobServiceClient(BlobServiceUrl, new DefaultAzureCredential()).GetBlobContainerClient(Container)
        : new BlobContainerClient(ConnectionString, Container);

    private TableClient TableClient() => string.IsNullOrWhiteSpace(ConnectionString)
        ? new TableClient(TableServiceUrl, Table, new DefaultAzureCredential())
        : new TableClient(ConnectionString, Table);
}
