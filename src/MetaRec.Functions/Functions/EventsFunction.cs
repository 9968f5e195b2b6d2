using System.Globalization;
using System.Text.Json;
using MetaRec.Functions.Interactions;
using MetaRec.Functions.Standalone;
using Microsoft.Azure.Functions.Worker;

namespace MetaRec.Functions.Functions;

/// <summary>
/// <c>Events</c> (<c>POST /api/events</c>): an event, or a JSON array of events, validated before
/// anything is accepted. A bad batch answers 400 with a ProblemDetails naming the item index
/// and the field, and none of it is queued; a good one becomes one queue message per event
/// (202), which the <c>Interactions</c> function applies. Producers that publish to Service Bus
/// skip this route; there the processor dead-letters what is bad, since no caller can be told.
/// </summary>
public sealed class EventsFunction(IMessageQueue queue)
{
    /// <summary>Most events one request may carry.</summary>
    public const int MaxBatch = 1000;

    [Function("Events")]
    public async Task<IResult> Events([HttpTrigger(AuthorizationLevel.Function, "post", Route = "events")] HttpRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var reader = new StreamReader(request.Body);
        return (await AcceptAsync(await reader.ReadToEndAsync(cancellation).ConfigureAwait(false), cancellation).ConfigureAwait(false)).ToResult();
    }

    public async Task<FunctionResponse> AcceptAsync(string? body, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return Refused("the body must hold an event or a JSON array of events", null, null);
        }
        List<string> messages;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            messages = root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray().Select(e => e.GetRawText())] : [root.GetRawText()];
            if (root.ValueKind == JsonValueKind.Array && messages.Count == 0)
            {
                return Refused("an empty array holds no events", null, null);
            }
        }
        catch (JsonException e)
        {
            return Refused($"the body is not JSON: {e.Message}", null, null);
        }
        if (messages.Count > MaxBatch)
        {
            return Refused(string.Create(CultureInfo.InvariantCulture, $"a batch holds at most {MaxBatch} events, not {messages.Count}"), null, null);
        }
        for (var i = 0; i < messages.Count; i++)
        {
            try
            {
                InteractionMessages.Parse(messages[i]);
            }
            catch (PoisonMessageException e)
            {
                return Refused(string.Create(CultureInfo.InvariantCulture, $"event [{i}]: {e.Message}; nothing was accepted"), i, e.Field);
            }
        }
        await queue.SendAsync(messages, cancellation).ConfigureAwait(false);
        return new FunctionResponse(202, new { accepted = messages.Count });
    }

    private static FunctionResponse Refused(string detail, int? index, string? field) =>
        FunctionResponse.Problem(400, "Bad request", detail, new Dictionary<string, object?> { ["index"] = index, ["field"] = field });
}
