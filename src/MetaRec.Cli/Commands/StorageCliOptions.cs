using System.CommandLine;
using MetaRec.Storage;

namespace MetaRec.Cli.Commands;

/// <summary>Storage flags shared by the <c>models</c>, <c>embeddings</c> and <c>users</c> commands.</summary>
internal sealed class StorageCliOptions
{
    private readonly Option<string> _folder = new("--storage-folder")
    {
        Description = "Folder backend root (the embedded default).",
        DefaultValueFactory = _ => ".metarec",
    };

    private readonly Option<string?> _connection = new("--storage-connection-string")
    {
        Description = "Azure Storage connection string (Azurite or an account); selects the azure backend. Default: METAREC_STORAGE_CONNECTION_STRING.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("METAREC_STORAGE_CONNECTION_STRING"),
    };

    private readonly Option<string?> _blobUrl = new("--storage-blob-url")
    {
        Description = "Blob service URL (https://ACCOUNT.blob.core.windows.net) used with DefaultAzureCredential (a managed identity, AZURE_CLIENT_ID); selects the azure backend without a key. Default: METAREC_STORAGE_BLOB_URL.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("METAREC_STORAGE_BLOB_URL"),
    };

    private readonly Option<string?> _tableUrl = new("--storage-table-url")
    {
        Description = "Table service URL, with --storage-blob-url. Default: METAREC_STORAGE_TABLE_URL.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("METAREC_STORAGE_TABLE_URL"),
    };

    private readonly Option<string> _container = new("--storage-container") { Description = "Blob container (azure).", DefaultValueFactory = _ => "metarec" };

    private readonly Option<string> _table = new("--storage-table") { Description = "Embeddings table (azure).", DefaultValueFactory = _ => "embeddings" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _folder, _connection, _blobUrl, _tableUrl, _container, _table })
        {
            command.Options.Add(option);
        }
    }

    public StorageOptions Resolve(ParseResult result)
    {
        var connection = result.GetValue(_connection);
        var blobUrl = Url(result.GetValue(_blobUrl), "--storage-blob-url");
        var options = new StorageOptions
        {
            Backend = string.IsNullOrWhiteSpace(connection) && blobUrl is null ? "folder" : "azure",
            Folder = result.GetValue(_folder)!,
            ConnectionString = connection,
            BlobServiceUrl = blobUrl,
            TableServiceUrl = Url(result.GetValue(_tableUrl), "--storage-table-url"),
            Container = result.GetValue(_container)!,
            Table = result.GetValue(_table)!,
        };
        options.Validate();
        return options;
    }

    private static Uri? Url(string? text, string option) => string.IsNullOrWhiteSpace(text)
        ? null
        : Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) ? url : throw new ArgumentException($"{option} '{text}' is not an absolute URL");
}
