using System.Text.Json;
using MetaRec.Functions.Functions;
using MetaRec.Functions.Timers;

namespace MetaRec.Functions.Hosting;

/// <summary>
/// The custom-handler side: <c>POST /{FunctionName}</c> for every function in the app's
/// function.json files. HTTP functions always answer 200 with the HTTP response in the
/// <c>res</c> output; a failed Interactions invocation answers non-2xx, so the trigger's
/// retry and dead-letter rules apply. A timer function answers 200 with its log lines, 500
/// with the reason when its run failed (the host logs it; timers are not retried).
/// </summary>
public static partial class CustomHandlerEndpoints
{
    /// <summary>The Interactions trigger binding and dead-letter output names (function.json).</summary>
    public const string MessagesBinding = "messages";

    public const string DeadLetterOutput = "deadletter";

    public static void Map(IEndpointRouteBuilder app)
    {
        // The host probes GET / until the handler answers before it sends invocations.
        app.MapGet("/", () => Results.Ok(new { app = "MetaRec.Functions" }));
        app.MapPost("/Score", (InvocationRequest invocation, ScoringFunctions functions, CancellationToken cancellation) =>
            Http(invocation, request => functions.ScoreAsync(request, cancellation)));
        app.MapPost("/Recommend", (InvocationRequest invocation, ScoringFunctions functions, CancellationToken cancellation) =>
            Http(invocation, request => functions.RecommendAsync(request, cancellation)));
        app.MapPost("/Health", (InvocationRequest invocation, HealthFunctions functions) =>
            Http(invocation, _ => Task.FromResult(functions.Health())));
        app.MapPost("/Ready", (InvocationRequest invocation, HealthFunctions functions) =>
            Http(invocation, _ => Task.FromResult(functions.Ready())));
        app.MapPost("/Interactions", InteractionsAsync);
        app.MapPost("/StartTrainingRun", (InvocationRequest invocation, Training.TrainingRunFunctions functions, CancellationToken cancellation) =>
            Http(invocation, request => functions.StartAsync(request.Body, cancellation)));
        app.MapPost("/GetTrainingRun", (InvocationRequest invocation, Training.TrainingRunFunctions functions, CancellationToken cancellation) =>
            Http(invocation, request => functions.GetAsync(request.Param("runId"), cancellation)));
        app.MapPost("/CancelTrainingRun", (InvocationRequest invocation, Training.TrainingRunFunctions functions, CancellationToken cancellation) =>
            Http(invocation, request => functions.CancelAsync(request.Param("runId"), cancellation)));
        app.MapPost("/AdvanceTrainingRun", (InvocationRequest invocation, Training.TrainingRunFunctions functions, CancellationToken cancellation) =>
            QueueMessageAsync(invocation, body => functions.AdvanceAsync(body, cancellation)));
        app.MapPost("/RefreshEmbeddingsShard", (InvocationRequest invocation, Training.TrainingRunFunctions functions, CancellationToken cancellation) =>
            QueueMessageAsync(invocation, body => functions.RefreshShardAsync(body, cancellation)));
        var timers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var timer in app.ServiceProvider.GetServices<ITimerFunction>())
        {
            if (!timers.Add(timer.Name))
            {
                throw new InvalidOperationException($"two timer functions are named '{timer.Name}'");
            }
            app.MapPost($"/{timer.Name}", (InvocationRequest invocation, ILoggerFactory logs, CancellationToken cancellation) =>
                TimerAsync(timer, invocation, logs.CreateLogger(typeof(ITimerFunction).FullName!), cancellation));
        }
    }

    /// <summary>The messages of a Service Bus invocation: a batch when the metadata has per-message arrays, else one.</summary>
    public static IReadOnlyList<IncomingMessage> Messages(InvocationRequest invocation)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var data = invocation.Binding(MessagesBinding) ?? throw new FormatException($"the invocation has no Data.{MessagesBinding}");
        var ids = invocation.MetadataArray("MessageIdArray");
        var counts = invocation.MetadataArray("DeliveryCountArray");
        if (ids is not null || counts is not null)
        {
            var items = Payloads.Unwrap(data, JsonValueKind.Array);
            if (items.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"Data.{MessagesBinding} of a batch must be an array, not {items.ValueKind}");
            }
            return [.. items.EnumerateArray().Select((body, i) => new IncomingMessage(Payloads.AsText(body), At(ids, i), Number(At(counts, i))))];
        }
        // A string-bound message body arrives JSON-encoded ("\"{...}\""): decode that layer.
        return [new IncomingMessage(Payloads.DecodeTwice(data) ?? string.Empty, invocation.MetadataString("MessageId"), Number(invocation.MetadataString("DeliveryCount")))];
    }

    private static async Task<IResult> InteractionsAsync(InvocationRequest invocation, InteractionsFunction function, CancellationToken cancellation)
    {
        IReadOnlyList<IncomingMessage> messages;
        try
        {
            messages = Messages(invocation);
        }
        catch (FormatException e)
        {
            return Results.Json(new InvocationResult([], [e.Message], null), statusCode: 400);
        }
        var outcome = await function.InvokeAsync(messages, cancellation).ConfigureAwait(false);
        var outputs = new Dictionary<string, object?>();
        if (outcome.DeadLetters.Count > 0)
        {
            outputs[DeadLetterOutput] = outcome.DeadLetters.Select(d => JsonSerializer.Serialize(d, FunctionResponse.Json)).ToArray();
        }
        return Results.Json(new InvocationResult(outputs, outcome.Logs, outcome.Failure), statusCode: outcome.Succeeded ? 200 : 400);
    }

    private static async Task<IResult> TimerAsync(ITimerFunction function, InvocationRequest invocation, ILogger log, CancellationToken cancellation)
    {
        TimerInfo timer;
        try
        {
            timer = TimerInfo.From(invocation, function.Binding);
        }
        catch (FormatException e)
        {
            return Results.Json(new InvocationResult([], [e.Message], null), statusCode: 400);
        }
        var outcome = await function.RunGuardedAsync(timer, log, cancellation).ConfigureAwait(false);
        if (outcome.Succeeded)
        {
            return Results.Json(new InvocationResult([], outcome.Logs, null));
        }
        return Results.Json(new InvocationResult([], [.. outcome.Logs, $"{function.Name} failed: {outcome.Failure}"], outcome.Failure), statusCode: 500);
    }

    private static async Task<IResult> Http(InvocationRequest invocation, Func<HttpTriggerRequest, Task<FunctionResponse>> function)
    {
        HttpTriggerRequest request;
        try
        {
            request = HttpTriggerRequest.From(invocation);
        }
        catch (FormatException e)
        {
            return Results.Json(new InvocationResult([], [e.Message], null), statusCode: 400);
        }
        var response = await function(request).ConfigureAwait(false);
        return Results.Json(new InvocationResult(new Dictionary<string, object?> { ["res"] = response.ToHttpOutput() }, [$"{request.Method} → {response.Status}"], null));
    }

    /// <summary>The queue-trigger binding of the pipeline's queue functions (function.json).</summary>
    public const string QueueBinding = "message";

    /// <summary>
    /// A Storage-queue-triggered function: the message (string-bound, so JSON-encoded once more)
    /// in <c>Data.message</c>. Success answers 200; failure answers 500 so the host retries and
    /// moves the message to the poison queue after <c>maxDequeueCount</c>.
    /// </summary>
    private static async Task<IResult> QueueMessageAsync(InvocationRequest invocation, Func<string, Task<string>> function)
    {
        var body = invocation.Binding(QueueBinding) is { } data ? Payloads.DecodeTwice(data) : null;
        if (string.IsNullOrEmpty(body))
        {
            return Results.Json(new InvocationResult([], [$"the invocation has no Data.{QueueBinding}"], null), statusCode: 400);
        }
        try
        {
            var outcome = await function(body).ConfigureAwait(false);
            return Results.Json(new InvocationResult([], [outcome], null));
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or IOException)
        {
            return Results.Json(new InvocationResult([], [e.Message], null), statusCode: 500);
        }
    }

    private static string? At(IReadOnlyList<string?>? values, int i) => values is not null && i < values.Count ? values[i] : null;

    private static int? Number(string? text) =>
        int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}
