using System.Globalization;
using System.Text.Json;
using MetaRec.Functions.Hosting;

namespace MetaRec.Functions.Timers;

/// <summary>
/// The schedule monitor's record as the Functions host passes it: <see cref="Last"/> is when the
/// function last ran (<see cref="DateTimeOffset.MinValue"/>, the host's <c>0001-01-01T00:00:00</c>,
/// before any run), <see cref="Next"/> the occurrence that was due next when the record was
/// written, which is the one this invocation runs for, and <see cref="LastUpdated"/> when the
/// record was written.
/// </summary>
public sealed record ScheduleStatus(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated);

/// <summary>
/// What a timer invocation is told: the schedule status (null when the host keeps none:
/// <c>useMonitor: false</c>, or no record yet) and whether the invocation is later than its
/// occurrence (<see cref="IsPastDue"/>: the app was down or busy when it was due).
/// </summary>
public sealed record TimerInfo(ScheduleStatus? ScheduleStatus, bool IsPastDue)
{
    /// <summary>
    /// The timer binding of a host invocation, <c>Data.{binding}</c>:
    /// <c>{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":…,"Next":…,"LastUpdated":…},"IsPastDue":false}</c>.
    /// </summary>
    /// <exception cref="FormatException">Naming the missing or malformed part.</exception>
    public static TimerInfo From(InvocationRequest invocation, string binding)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var value = invocation.Binding(binding) ?? throw new FormatException($"the invocation has no Data.{binding}");
        return Parse(value, $"Data.{binding}");
    }

    /// <summary>
    /// A timer payload: a JSON object, or the same object sent as JSON text. Property names in
    /// any casing; unknown properties (<c>Schedule</c> among them) are ignored; a missing
    /// <c>IsPastDue</c> is false. Times without an offset are UTC.
    /// </summary>
    /// <exception cref="FormatException">Naming <paramref name="path"/> and the bad part.</exception>
    public static TimerInfo Parse(JsonElement value, string path = "timer")
    {
        var timer = Payloads.Unwrap(value, JsonValueKind.Object);
        if (timer.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path} must be a timer object, not {Describe(timer)}");
        }
        var pastDue = false;
        if (Property(timer, "IsPastDue") is { } flag)
        {
            pastDue = flag.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String when bool.TryParse(flag.GetString(), out var parsed) => parsed,
                _ => throw new FormatException($"{path}.IsPastDue must be true or false, not {Describe(flag)}"),
            };
        }
        ScheduleStatus? status = null;
        if (Property(timer, "ScheduleStatus") is { } record)
        {
            var fields = Payloads.Unwrap(record, JsonValueKind.Object);
            if (fields.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{path}.ScheduleStatus must be an object or null, not {Describe(fields)}");
            }
            var at = $"{path}.ScheduleStatus";
            status = new ScheduleStatus(Time(fields, "Last", at), Time(fields, "Next", at), Time(fields, "LastUpdated", at));
        }
        return new TimerInfo(status, pastDue);
    }

    private static DateTimeOffset Time(JsonElement fields, string name, string path)
    {
        var value = Property(fields, name) ?? throw new FormatException($"{path}.{name} is missing");
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }
        throw new FormatException($"{path}.{name} must be an ISO 8601 time, not {Describe(value)}");
    }

    /// <summary>A property by name, exact casing first; null when absent or JSON null.</summary>
    private static JsonElement? Property(JsonElement element, string name)
    {
        JsonElement? found = null;
        if (element.TryGetProperty(name, out var exact))
        {
            found = exact;
        }
        else
        {
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    found = property.Value;
                    break;
                }
            }
        }
        return found is { ValueKind: not JsonValueKind.Null } ? found : null;
    }

    private static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
    }
}
