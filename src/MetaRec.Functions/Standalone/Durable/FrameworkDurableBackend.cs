using DurableTask.AzureStorage;
using DurableTask.Core;
using MetaRec.Functions.Training;
using MetaRec.Pipeline.Orchestration;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Standalone.Durable;

/// <summary>
/// The standalone host's Durable backend: the Durable Task Framework's <see cref="TaskHubWorker"/>
/// on <see cref="AzureStorageOrchestrationService"/> (Azurite locally), running the same
/// class-based <see cref="TrainingOrchestrator"/> and activities as the Functions host, through
/// the Durable Task SDK's public shims. It starts in the background so serving never waits for
/// it; a training call waits for it, and while it cannot start the training API answers 503
/// with the reason.
/// </summary>
public sealed partial class FrameworkDurableBackend(IServiceProvider services, IOptions<FunctionAppOptions> options, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _log = loggers.CreateLogger<FrameworkDurableBackend>();
    private readonly TaskCompletionSource<TaskHubClient> _client = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private AzuriteProcess? _azurite;
    private bool _disposed;

    /// <summary>Longest a stop waits for the framework's worker.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private TaskHubWorker? _worker;

    /// <summary>The framework's data converter, writing and reading JSON as the SDK's shims do (System.Text.Json, default options).</summary>
    internal static readonly DurableTask.Core.Serializing.DataConverter Converter = new SdkJsonConverter();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(() => InitializeAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>The client, once the backend runs; throws <see cref="TrainingBackendUnavailableException"/> when it cannot.</summary>
    public async Task<TaskHubClient> ClientAsync(CancellationToken cancellation)
    {
        try
        {
            return await _client.Task.WaitAsync(TimeSpan.FromSeconds(90), cancellation).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TrainingBackendUnavailableException("the Durable backend is still starting; try again shortly", e);
        }
    }

    private async Task InitializeAsync(CancellationToken cancellation)
    {
        var settings = options.Value;
        var durable = settings.Durable;
        var connection = durable.Connection(settings.Storage);
        try
        {
            if (connection == DurableOptions.DevelopmentStorage && durable.StartAzurite)
            {
                _azurite = new AzuriteProcess(_log);
                await _azurite.EnsureRunningAsync(durable, settings.Storage.Folder, cancellation).ConfigureAwait(false);
            }
            var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
            {
                StorageAccountClientProvider = new StorageAccountClientProvider(connection),
                TaskHubName = durable.TaskHub,
                PartitionCount = 1,
                ControlQueueVisibilityTimeout = durable.ControlQueueVisibilityTimeout,
                WorkItemQueueVisibilityTimeout = durable.WorkItemQueueVisibilityTimeout,
                MaxQueuePollingInterval = durable.MaxQueuePollingInterval,
                LoggerFactory = loggers,
            });
            await service.CreateIfNotExistsAsync().ConfigureAwait(false);
            var shims = new DurableTaskShimFactory(null, loggers);
            var worker = new TaskHubWorker(service, loggers);
            worker.AddTaskOrchestrations(new Creator<TaskOrchestration>(TrainingOrchestrator.Name, () => shims.CreateOrchestration(new TaskName(TrainingOrchestrator.Name), new TrainingOrchestrator())));
            worker.AddTaskActivities([.. TrainingTasks.Activities.Select(type => new Creator<TaskActivity>(type.Name, () =>
                shims.CreateActivity(new TaskName(type.Name), (ITaskActivity)services.GetRequiredService(type))))]);
            await worker.StartAsync().ConfigureAwait(false);
            _worker = worker;
            _client.TrySetResult(new TaskHubClient(service, Converter, loggers));
            LogStarted(_log, durable.TaskHub, connection == DurableOptions.DevelopmentStorage ? "Azurite" : "the configured account");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            LogFailed(_log, e);
            _client.TrySetException(e as TrainingBackendUnavailableException ?? new TrainingBackendUnavailableException($"the Durable backend did not start: {e.Message}", e));
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_worker is { } worker)
        {
            _worker = null;
            try
            {
                // Bounded: the framework's partition manager can wait minutes for its loops; the
                // host's shutdown does not. Whatever it had claimed is released by its timeouts.
                await worker.StopAsync(isForced: true).WaitAsync(StopTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                LogStopAbandoned(_log, StopTimeout);
            }
        }
        if (_azurite is { } azurite)
        {
            _azurite = null;
            await azurite.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _disposed = true;
        _stopping.Dispose();
    }

    /// <summary>System.Text.Json in the framework's converter shape, so the client's input is what the shimmed orchestrator reads.</summary>
    private sealed class SdkJsonConverter : DurableTask.Core.Serializing.DataConverter
    {
        public override string Serialize(object value) => JsonDataConverter.Default.Serialize(value)!;

        public override string Serialize(object value, bool formatted) => Serialize(value);

        public override object Deserialize(string data, Type objectType) => JsonDataConverter.Default.Deserialize(data, objectType)!;
    }

    /// <summary>A framework object creator: a fresh orchestrator or activity per execution.</summary>
    private sealed class Creator<T> : ObjectCreator<T>
    {
        private readonly Func<T> _create;

        public Creator(string name, Func<T> create)
        {
            Name = name;
            Version = string.Empty;
            _create = create;
        }

        public override T Create() => _create();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Durable backend: task hub {TaskHub} on {Storage}")]
    private static partial void LogStarted(ILogger logger, string taskHub, string storage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the Durable worker did not stop within {Timeout}; leaving it to its lease and visibility timeouts")]
    private static partial void LogStopAbandoned(ILogger logger, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "the Durable backend did not start; training runs are refused with 503 until the app restarts")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
