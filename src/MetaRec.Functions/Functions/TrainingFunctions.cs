using MetaRec.Functions.Training;
using MetaRec.Pipeline.Activities;
using MetaRec.Pipeline.Jobs;
using MetaRec.Pipeline.Orchestration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace MetaRec.Functions.Functions;

/// <summary>
/// The training-run API under the Functions host: <c>StartTrainingRun</c> (202 with the run's
/// URLs and the Durable management URLs), <c>GetTrainingRun</c> and <c>CancelTrainingRun</c>,
/// each through the host's Durable client. The standalone host serves the same
/// <see cref="TrainingRunApi"/> with its own client.
/// </summary>
public sealed class TrainingFunctions(TrainingRunApi api)
{
    [Function("StartTrainingRun")]
    public async Task<IResult> Start(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "training-runs")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(context.CancellationToken).ConfigureAwait(false);
        var response = await api.StartAsync(body, new DurableTrainingRunClient(client), async runId =>
        {
            var data = await context.GetHttpRequestDataAsync().ConfigureAwait(false);
            return client.CreateHttpManagementPayload(runId, data);
        }, context.CancellationToken).ConfigureAwait(false);
        return response.ToResult();
    }

    [Function("GetTrainingRun")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "training-runs/{runId}")] HttpRequest request,
        string runId,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (await api.GetAsync(runId, new DurableTrainingRunClient(client), context.CancellationToken).ConfigureAwait(false)).ToResult();
    }

    [Function("CancelTrainingRun")]
    public async Task<IResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "training-runs/{runId}/cancel")] HttpRequest request,
        string runId,
        [DurableClient] DurableTaskClient client,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return (await api.CancelAsync(runId, new DurableTrainingRunClient(client), context.CancellationToken).ConfigureAwait(false)).ToResult();
    }
}

/// <summary>
/// The orchestration and its activities under the Functions host: thin wrappers over the
/// class-based <see cref="TrainingOrchestrator"/> and activities of MetaRec.Pipeline, which the
/// standalone host registers with the Durable Task Framework directly. Each function is named
/// as the orchestrator calls it (the class name).
/// </summary>
public sealed class TrainingOrchestrationFunctions(IServiceProvider services)
{
    [Function(TrainingOrchestrator.Name)]
    public static Task<TrainingResult> Orchestrate([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new TrainingOrchestrator().RunAsync(context, context.GetInput<TrainingInput>()!);
    }

    [Function(nameof(SnapshotActivity))]
    public Task<SnapshotResult> Snapshot([ActivityTrigger] SnapshotInput input, FunctionContext context) => Run<SnapshotActivity, SnapshotInput, SnapshotResult>(input, context);

    [Function(nameof(LaunchJobActivity))]
    public Task<string> Launch([ActivityTrigger] JobInput input, FunctionContext context) => Run<LaunchJobActivity, JobInput, string>(input, context);

    [Function(nameof(JobStatusActivity))]
    public Task<JobState> JobStatus([ActivityTrigger] string jobId, FunctionContext context) => Run<JobStatusActivity, string, JobState>(jobId, context);

    [Function(nameof(StopJobActivity))]
    public Task<string> StopJob([ActivityTrigger] string jobId, FunctionContext context) => Run<StopJobActivity, string, string>(jobId, context);

    [Function(nameof(EvaluateActivity))]
    public Task<GateVerdict> Evaluate([ActivityTrigger] EvaluateInput input, FunctionContext context) => Run<EvaluateActivity, EvaluateInput, GateVerdict>(input, context);

    [Function(nameof(PromoteActivity))]
    public Task<PromoteResult> Promote([ActivityTrigger] PromoteInput input, FunctionContext context) => Run<PromoteActivity, PromoteInput, PromoteResult>(input, context);

    [Function(nameof(RefreshShardActivity))]
    public Task<string> Refresh([ActivityTrigger] RefreshShard input, FunctionContext context) => Run<RefreshShardActivity, RefreshShard, string>(input, context);

    private Task<TOutput> Run<TActivity, TInput, TOutput>(TInput input, FunctionContext context)
        where TActivity : TaskActivity<TInput, TOutput>
    {
        ArgumentNullException.ThrowIfNull(context);
        var activity = services.GetRequiredService<TActivity>();
        var instanceId = context.BindingContext.BindingData.TryGetValue("instanceId", out var id) ? id?.ToString() : null;
        return activity.RunAsync(new FunctionActivityContext(typeof(TActivity).Name, instanceId ?? context.InvocationId), input);
    }

    /// <summary>The activity context a class-based activity gets under the Functions host.</summary>
    private sealed class FunctionActivityContext(string name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name { get; } = new(name);

        public override string InstanceId { get; } = instanceId;
    }
}
