using System.Reflection;
using Azure.Storage.Blobs;
using MetaRec.Core.Plugins;
using MetaRec.Core.Tensors;
using MetaRec.Pipeline.Jobs;
using MetaRec.Pipeline.Runs;
using MetaRec.Storage.Registry;
using MetaRec.Storage.Runs;
using MetaRec.Storage.Snapshots;
using MetaRec.Testing;

namespace MetaRec.Pipeline.Tests;

/// <summary>
/// A run on Blob storage (Azurite), as in Azure: the run document, the data snapshot and the
/// registry are blobs, and the job reaches them with the container name on its command line and
/// the connection string in its environment only; it needs no file the app wrote.
/// </summary>
public sealed class BlobPipelineTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly string CliDll = typeof(BlobPipelineTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MetaRec.CliDll").Value!;
    private static readonly string Data = Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small");

    private readonly DirectoryInfo _jobs = Directory.CreateTempSubdirectory("metarec-blob-pipeline-");
    private readonly string _container = "pipeline-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => _jobs.Delete(recursive: true);

    [Fact]
    public async Task A_run_completes_with_everything_in_blob_storage()
    {
        TorchRuntime.EnsureInitialized(1);
        var container = new BlobContainerClient(azurite.ConnectionString, _container);
        await container.CreateIfNotExistsAsync();
        var runs = new RunRepository(new BlobRunStore(container), TimeProvider.System);
        var registry = new BlobModelRegistry(container);
        var launcher = new LocalProcessLauncher(_jobs.FullName, "dotnet", [CliDll]);
        var engine = new PipelineEngine(
            runs,
            launcher,
            registry,
            new BlobSnapshotStore(container),
            PluginLoader.LoadFolder(Path.Combine(AppContext.BaseDirectory, "plugins")),
            (_, _) => Task.CompletedTask,
            new PipelineOptions(TimeSpan.FromMilliseconds(200), ["--storage-container", _container], new Dictionary<string, string> { ["METAREC_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString }),
            TimeProvider.System);

        var (run, next) = await engine.StartAsync(new RunRequest("mpp", Data, new Dictionary<string, string>(), Epochs: 1, Shards: 2));
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        AdvanceMessage? message = next;
        while (message is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not finish in 4 minutes");
            var result = await engine.AdvanceAsync(message);
            await Task.Delay(result.Delay);
            message = result.Next;
        }

        var done = (await runs.GetAsync(run.Id))!;
        Assert.True(done.State == RunState.Completed, $"{done.State}: {done.Reason}");
        Assert.Equal(run.Id + "-a1", (await registry.GetActiveAsync("mpp"))!.Version);
        Assert.True((await container.GetBlobClient($"snapshots/{run.Id}/manifest.json").ExistsAsync()).Value);
        var script = await File.ReadAllTextAsync(Path.Combine(launcher.FolderOf(run.Id + "-a1"), "run.sh"));
        Assert.DoesNotContain(azurite.ConnectionString, script, StringComparison.Ordinal); // the secret stays in the environment
        Assert.DoesNotContain("snapshots", script, StringComparison.Ordinal); // no path to a file the app wrote
    }
}
