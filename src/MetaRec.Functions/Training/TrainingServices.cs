using MetaRec.Pipeline.Activities;
using MetaRec.Pipeline.Jobs;
using MetaRec.Pipeline.Orchestration;
using MetaRec.Storage;

namespace MetaRec.Functions.Training;

/// <summary>
/// The training pipeline's services, the same under both hosts: the job launcher, what the
/// activities need, the activities themselves (resolved per call), the embedding refresher and
/// the run API. Each host adds its own <see cref="ITrainingRunClient"/>: the Functions host's
/// Durable client per request, the standalone host the Durable Task Framework's.
/// </summary>
public static class TrainingServices
{
    public static IServiceCollection AddMetaRecTraining(this IServiceCollection services, FunctionAppOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var training = settings.Training;
        var jobsFolder = training.JobsFolder.Length > 0 ? training.JobsFolder : settings.Storage.Folder;
        services.AddSingleton<IJobLauncher>(_ => training.Launcher == "aca"
            ? new ContainerAppsJobLauncher(training.ContainerApps, new HttpClient())
            : new LocalProcessLauncher(jobsFolder, "dotnet", training.MetarecDll.Length > 0 ? [Path.GetFullPath(training.MetarecDll)] : []));
        services.AddSingleton(_ => settings.Storage.CreateSnapshotStore());
        services.AddSingleton(new TrainingJobOptions(StorageArguments(settings.Storage), JobEnvironment(settings.Storage, training)) { Devices = training.DeviceList });
        services.AddSingleton<IShardRefresher, EmbeddingRefresher>();
        foreach (var activity in TrainingTasks.Activities)
        {
            services.AddTransient(activity);
        }
        services.AddSingleton<TrainingRunApi>();
        return services;
    }

    /// <summary>
    /// The flags that let a training job reach this app's registry: the folder, or the container
    /// and table with the account URLs (identity) or a connection string, which travels in the
    /// job's environment, never on its command line.
    /// </summary>
    internal static string[] StorageArguments(StorageOptions storage) => storage.Backend == "folder"
        ? ["--storage-folder", Path.GetFullPath(storage.Folder)]
        : string.IsNullOrEmpty(storage.ConnectionString)
            // Account URLs are not secrets: the job reaches them with its own identity (DefaultAzureCredential).
            ? ["--storage-blob-url", storage.BlobServiceUrl!.ToString(), "--storage-table-url", storage.TableServiceUrl!.ToString(), "--storage-container", storage.Container, "--storage-table", storage.Table]
            : ["--storage-container", storage.Container, "--storage-table", storage.Table];

    /// <summary>What a job gets in its environment: the storage connection string, and for the local launcher a libtorch folder.</summary>
    private static Dictionary<string, string>? JobEnvironment(StorageOptions storage, TrainingOptions training)
    {
        var environment = new Dictionary<string, string>();
        if (storage.Backend != "folder" && !string.IsNullOrEmpty(storage.ConnectionString))
        {
            environment["METAREC_STORAGE_CONNECTION_STRING"] = storage.ConnectionString;
        }
        if (training.Launcher == "local" && training.LibTorch.Length > 0)
        {
            environment["METAREC_LIBTORCH"] = Path.GetFullPath(training.LibTorch);
        }
        return environment.Count > 0 ? environment : null;
    }
}
