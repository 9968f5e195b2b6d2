using System.Security.Cryptography;
using System.Text.Json;
using MetaRec.Core.Plugins;
using MetaRec.Functions.Functions;
using MetaRec.Pipeline.Activities;
using MetaRec.Pipeline.Orchestration;
using MetaRec.Pipeline.Runs;
using MetaRec.Storage.Interactions;
using MetaRec.Storage.Registry;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Training;

/// <summary>
/// The training-run API behind <c>StartTrainingRun</c>, <c>GetTrainingRun</c> and
/// <c>CancelTrainingRun</c>, whatever Durable client the host gives. A bad request is refused
/// here with a 400 naming the field, before any orchestration exists; what can only fail later
/// (a job, a gate) ends the run <see cref="RunState.Failed"/> with its reason.
/// </summary>
public sealed partial class TrainingRunApi(PluginCatalog plugins, TrainingJobOptions jobs, IInteractionLog interactions, IOptions<FunctionAppOptions> options, TimeProvider time, ILogger<TrainingRunApi> log)
{
    public static JsonSerializerOptions Json => TrainingRunView.Json;

    /// <summary>Validates and starts a run; 202 with the run's URLs (and the host's management URLs, when <paramref name="managementUrls"/> gives them).</summary>
    public async Task<FunctionResponse> StartAsync(string? body, ITrainingRunClient runs, Func<string, Task<object?>>? managementUrls, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var settings = options.Value.Training;
        // A bad request is refused as bad (400) whether or not training is configured; a sound one
        // learns next that it cannot run here (503).
        RunRequest? request;
        try
        {
            request = string.IsNullOrWhiteSpace(body) ? null : JsonSerializer.Deserialize<RunRequest>(body, Json);
        }
        catch (JsonException e)
        {
            return BadRequest($"the body is not a run request: {e.Message}", e.Path?.TrimStart('$', '.'));
        }
        if (request is null)
        {
            return BadRequest("the body must be a run request: {family, data, settings, epochs, device, metric, margin, seed, shards}", null);
        }
        request = request with { Settings = request.Settings ?? new Dictionary<string, string>() };
        try
        {
            request = Checked(request, settings);
        }
        catch (ArgumentException e)
        {
            return BadRequest(e.Message, Field(e.ParamName));
        }
        catch (KeyNotFoundException e)
        {
            return BadRequest(e.Message, "family");
        }
        if (Unavailable() is { } unavailable)
        {
            return unavailable;
        }
        // The run's start watermark, read once the request is valid: the snapshot takes every event
        // logged up to here (I/O, so not in the orchestrator).
        var watermark = await interactions.SnapshotAsync(cancellation).ConfigureAwait(false);
        if (request.Data is null && watermark.Events == 0)
        {
            return BadRequest("data is required while no events are logged: name a dataset the app can read, set MetaRec:Training:BaseDataset, or post events first", "data");
        }
        var runId = NewRunId();
        try
        {
            await runs.StartAsync(runId, new TrainingInput(request, settings.Schedule, watermark), cancellation).ConfigureAwait(false);
        }
        catch (TrainingBackendUnavailableException e)
        {
            return BackendUnavailable(e);
        }
        LogStarted(log, runId, request.Family);
        var location = $"/api/training-runs/{runId}";
        var management = managementUrls is null ? null : await managementUrls(runId).ConfigureAwait(false);
        var accepted = new
        {
            id = runId,
            state = RunState.Snapshot,
            statusUri = location,
            cancelUri = location + "/cancel",
            management,
        };
        return new FunctionResponse(202, accepted) { Headers = new Dictionary<string, string> { ["Location"] = location } };
    }

    public async Task<FunctionResponse> GetAsync(string? runId, ITrainingRunClient runs, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (!IsRunId(runId))
        {
            return NotFound(runId); // no run can have this id, whether or not training is configured
        }
        if (Unavailable() is { } unavailable)
        {
            return unavailable;
        }
        try
        {
            var run = await runs.GetAsync(runId!, cancellation).ConfigureAwait(false);
            return run is null ? NotFound(runId) : new FunctionResponse(200, run);
        }
        catch (TrainingBackendUnavailableException e)
        {
            return BackendUnavailable(e);
        }
    }

    /// <summary>Asks a run to stop: 202, 404 for no such run, 409 once it is final or past cancelling (promotion has begun).</summary>
    public async Task<FunctionResponse> CancelAsync(string? runId, ITrainingRunClient runs, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (!IsRunId(runId))
        {
            return NotFound(runId); // no run can have this id, whether or not training is configured
        }
        if (Unavailable() is { } unavailable)
        {
            return unavailable;
        }
        try
        {
            var run = await runs.GetAsync(runId!, cancellation).ConfigureAwait(false);
            if (run is null)
            {
                return NotFound(runId);
            }
            if (run.IsFinal || run.State is RunState.Promote or RunState.Refresh)
            {
                return FunctionResponse.Problem(409, "Conflict", $"run {runId} is {run.State}: it can no longer be cancelled");
            }
            await runs.CancelAsync(run.Id, cancellation).ConfigureAwait(false);
            return new FunctionResponse(202, run);
        }
        catch (TrainingBackendUnavailableException e)
        {
            return BackendUnavailable(e);
        }
    }

    /// <summary>The request as the run will use it: valid, its family known, its device offered, its base data an absolute path that exists, or null when none is named or configured.</summary>
    private RunRequest Checked(RunRequest request, TrainingOptions settings)
    {
        request.Validate();
        if (!jobs.Devices.Contains(request.Device, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"device {request.Device} is not offered: this pipeline's jobs train on {string.Join(", ", jobs.Devices)} (MetaRec:Training:Devices)", nameof(RunRequest.Device));
        }
        _ = plugins.Get(request.Family);
        var data = string.IsNullOrWhiteSpace(request.Data) ? settings.BaseDataset : request.Data;
        if (data.Length == 0)
        {
            return request with { Data = null };
        }
        var full = Path.GetFullPath(data);
        if (!File.Exists(full) && !Directory.Exists(full))
        {
            throw new ArgumentException($"data '{data}' does not exist (read as {full}, relative to the app's working folder {Environment.CurrentDirectory})", nameof(RunRequest.Data));
        }
        return request with { Data = full };
    }

    private static bool IsRunId(string? runId)
    {
        if (string.IsNullOrEmpty(runId))
        {
            return false;
        }
        try
        {
            StorageNames.RunId(runId);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary><c>run-{yyyyMMdd-HHmmss}-{6 hex}</c>: sortable by start, unique without coordination.</summary>
    private string NewRunId() => $"run-{time.GetUtcNow():yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>503 while training is not configured (no job to run), else null.</summary>
    private FunctionResponse? Unavailable() => options.Value.Training.IsConfigured ? null
        : FunctionResponse.Problem(503, "Training is not configured", "set MetaRec:Training:MetarecDll to the metarec tool (metarec.dll) the local training job runs, or MetaRec:Training:Launcher to aca with its ContainerApps settings");

    private static FunctionResponse BackendUnavailable(TrainingBackendUnavailableException e) => FunctionResponse.Problem(503, "Training backend unavailable", e.Message);

    private static string? Field(string? parameter) => parameter is { Length: > 0 } ? char.ToLowerInvariant(parameter[0]) + parameter[1..] : null;

    private static FunctionResponse BadRequest(string detail, string? field) =>
        FunctionResponse.Problem(400, "Bad request", detail, new Dictionary<string, object?> { ["field"] = field });

    private static FunctionResponse NotFound(string? runId) =>
        FunctionResponse.Problem(404, "Not found", $"no training run '{(runId is { Length: > 100 } ? runId[..100] + "…" : runId)}'");

    [LoggerMessage(Level = LogLevel.Information, Message = "training run {RunId} started for {Family}")]
    private static partial void LogStarted(ILogger logger, string runId, string family);
}

/// <summary>The host's Durable backend cannot take runs now (standalone: its storage is not reachable); the message says what to do.</summary>
public sealed class TrainingBackendUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
