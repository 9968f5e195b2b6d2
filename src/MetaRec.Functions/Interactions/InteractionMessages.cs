using System.Globalization;
using System.Text.Json;
using MetaRec.Storage.Interactions;

namespace MetaRec.Functions.Interactions;

/// <summary>A message that can never be applied, why, and the field at fault (<c>userId</c>, <c>data.rating</c>) when one is.</summary>
public sealed class PoisonMessageException(string reason, string? field = null) : Exception(reason)
{
    public string? Field { get; } = field;
}

/// <summary>
/// Reads a message body as interaction events. Accepted: one event
/// <c>{"eventId","userId","itemId","rating","timestamp"}</c>, a CloudEvents 1.0 structured
/// event of type <see cref="CloudEventType"/> whose <c>data</c> holds the same fields (id →
/// eventId, time → timestamp when data has none), or a JSON array of either. Anything else is
/// poison, with the reason naming the field. A message is applied whole or not at all.
/// </summary>
public static class InteractionMessages
{
    public const string CloudEventType = "com.metarec.interaction";

    public static IReadOnlyList<InteractionEvent> Parse(string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new PoisonMessageException($"not JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                if (root.GetArrayLength() == 0)
                {
                    throw new PoisonMessageException("an empty array holds no events");
                }
                return [.. root.EnumerateArray().Select((e, i) => One(e, $"[{i}]."))];
            }
            return [One(root, string.Empty)];
        }
    }

    private static InteractionEvent One(JsonElement element, string at)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new PoisonMessageException($"{at}an event must be a JSON object, not {element.ValueKind}");
        }
        if (element.TryGetProperty("specversion", out var version))
        {
            return CloudEvent(element, version, at);
        }
        if (!element.TryGetProperty("eventId", out _) && element.TryGetProperty("type", out _))
        {
            throw new PoisonMessageException($"{at}unknown schema: an object with 'type' but no 'specversion' is neither an interaction nor a CloudEvent");
        }
        var e = new InteractionEvent(
            Text(element, "eventId", at),
            Text(element, "userId", at),
            Text(element, "itemId", at),
            Number(element, "rating", at),
            Timestamp(element, "timestamp", at) ?? throw Missing("timestamp", at));
        return Checked(e, at);
    }

    private static InteractionEvent CloudEvent(JsonElement element, JsonElement version, string at)
    {
        if (version.ValueKind != JsonValueKind.String || version.GetString() != "1.0")
        {
            throw new PoisonMessageException($"{at}specversion must be \"1.0\", not {version.GetRawText()}");
        }
        var type = Text(element, "type", at);
        if (type != CloudEventType)
        {
            throw new PoisonMessageException($"{at}unknown schema: CloudEvent type '{type}' (expected '{CloudEventType}')");
        }
        if (!element.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new PoisonMessageException($"{at}data must be a JSON object with userId, itemId, rating");
        }
        var timestamp = Timestamp(data, "timestamp", at + "data.") ?? Timestamp(element, "time", at) ?? throw Missing("data.timestamp or time", at);
        var e = new InteractionEvent(
            Text(element, "id", at),
            Text(data, "userId", at + "data."),
            Text(data, "itemId", at + "data."),
            Number(data, "rating", at + "data."),
            timestamp);
        return Checked(e, at);
    }

    private static InteractionEvent Checked(InteractionEvent e, string at)
    {
        try
        {
            e.Validate();
            return e;
        }
        catch (ArgumentException error)
        {
            throw new PoisonMessageException($"{at}{error.Message}", error.ParamName is { Length: > 0 } name ? char.ToLowerInvariant(name[0]) + name[1..] : null);
        }
    }

    private static string Text(JsonElement element, string name, string at) =>
        !element.TryGetProperty(name, out var value) ? throw Missing(name, at)
        : value.ValueKind == JsonValueKind.String ? value.GetString()!
        : value.ValueKind == JsonValueKind.Number ? value.GetRawText() // numeric ids are ids too
        : throw new PoisonMessageException($"{at}{name} must be a string, not {value.ValueKind}", Path(at, name));

    private static float Number(JsonElement element, string name, string at) =>
        !element.TryGetProperty(name, out var value) ? throw Missing(name, at)
        : value.ValueKind == JsonValueKind.Number && value.TryGetSingle(out var number) ? number
        : throw new PoisonMessageException($"{at}{name} must be a number, not {value.GetRawText()}", Path(at, name));

    /// <summary>Unix seconds, or an ISO 8601 date-time string.</summary>
    private static long? Timestamp(JsonElement element, string name, string at)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds))
        {
            return seconds;
        }
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUnixTimeSeconds();
        }
        throw new PoisonMessageException($"{at}{name} must be unix seconds or an ISO 8601 time, not {value.GetRawText()}", Path(at, name));
    }

    private static PoisonMessageException Missing(string name, string at) => new($"{at}{name} is missing", Path(at, name));

    /// <summary>The field's path inside its event: <c>[2].data.rating</c> less the index.</summary>
    private static string Path(string at, string name)
    {
        var inEvent = at.StartsWith('[') ? at[(at.IndexOf(']', StringComparison.Ordinal) + 2)..] : at;
        return inEvent + name;
    }
}
