using Azure.Storage.Blobs;
using MetaRec.Storage.Registry;
using MetaRec.Testing;

namespace MetaRec.Storage.Tests;

public sealed class FolderModelRegistryTests : ModelRegistryContractTests, IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("metarec-registry-");

    public FolderModelRegistryTests() => Registry = new FolderModelRegistry(_root.FullName);

    protected override IModelRegistry Registry { get; }

    public void Dispose() => _root.Delete(recursive: true);

    protected override Task TamperWeightsAsync(string family, string version)
    {
        var path = Path.Combine(_root.FullName, "models", family, version, "weights.bin");
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(path, bytes);
        return Task.CompletedTask;
    }
}

public sealed class BlobModelRegistryTests : ModelRegistryContractTests, IClassFixture<AzuriteFixture>
{
    private readonly BlobContainerClient _container;

    public BlobModelRegistryTests(AzuriteFixture azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        _container = new BlobContainerClient(azurite.ConnectionString, $"registry-{Guid.NewGuid():N}");
        Registry = new BlobModelRegistry(_container);
    }

    protected override IModelRegistry Registry { get; }

    protected override async Task TamperWeightsAsync(string family, string version)
    {
        var blob = _container.GetBlobClient($"models/{family}/{version}/weights.bin");
        var bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0xff;
        await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
    }
}
