using MetaRec.Core.Plugins;
using MetaRec.Functions.Standalone;
using MetaRec.Pipeline;
using MetaRec.Pipeline.Jobs;
using MetaRec.Pipeline.Runs;
using MetaRec.Storage;
using MetaRec.Storage.Registry;

namespace MetaRec.Functions.Training;

/// <summary>The training pipeline's services: runs in storage, the job launcher, the engine, its queues and functions.</summary>
public static class TrainingServices
{
    /// <param name="services">The app's services.</param>
    /// <param name="settings">The app's validated settings.</param>
    /// <param name="queue">The app's queue of a name (its in-process channel, or a Storage queue).</param>
    public static IServiceCollection AddTrainingPipeline(this IServiceCollection services, FunctionAppOptions settings, Func<string, IMessageQueue> queue)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(queue);
        var training = settings.Training;
        var jobsFolder = training.JobsFolder.Length > 0 ? training.JobsFolder : settings.Storage.Folder;
        services.AddSingleton(_ => new RunRepository(settings.Storage.CreateRunStore(), TimeProvider.System));
        services.AddSingleton(_ => new TrainingQueues(queue(training.QueueName), queue(training.RefreshQueueName)));
        services.AddSingleton(provider => new PipelineEngine(
            provider.GetRequiredService<RunRepository>(),
            training.Launcher == "aca"
                ? new ContainerAppsJobLauncher(training.ContainerApps, new HttpClient())
                : new LocalProcessLauncher(jobsFolder, "dotnet", training.Metarec.Length > 0 ? [Path.GetFullPath(training.Metarec)] : []),
            provider.GetRequiredService<IModelRegistry>(),
            settings.Storage.CreateSnapshotStore(),
            provider.GetRequiredService<PluginCatalog>(),
            provider.GetRequiredService<TrainingQueues>().RefreshAsync,
            new PipelineOptions(
                training.PollInterval,
                StorageArguments(settings.Storage),
                JobEnvironment(settings.Storage, training),
                training.MaxAttempts,
                training.CrashAt.Length > 0 ? training.CrashAt : null)
            {
                Devices = training.DeviceList,
            },
            TimeProvider.System));
        services.AddSingleton<TrainingRunFunctions>();
        return services;
    }

    /// <summary>
    /// The flags that let a training job reach this app's registry (a connection string travels in
    /// the job's environment, never on its command line).
    /// </summary>
    private static string[] StorageArguments(StorageOptions storage) => storage.Backend == "folder"
        ? ["--storage-folder", Path.GetFullPath(storage.Folder)]
        : ["--storage-container", storage.Container];

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
