using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetaRec.Functions.Hosting;

/// <summary>
/// What the Functions host POSTs to <c>/{FunctionName}</c> of a custom handler: the trigger and
/// input bindings by name in <see cref="Data"/>, trigger metadata in <see cref="Metadata"/>.
/// </summary>
public sealed record InvocationRequest(
    [property: JsonPropertyName("Data")] Dictionary<string, JsonElement>? Data,
    [property: JsonPropertyName("Metadata")] Dictionary<string, JsonElement>? Metadata)
{
    public JsonElement? Binding(string name) =>
        Data is not null && Data.TryGetValue(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value : null;

    /// <summary>
    /// A string metadata value. The host JSON-encodes string metadata a second time (a message id
    /// arrives as <c>"\"abc\""</c>); this undoes that, and also takes a plain string or number.
    /// </summary>
    public string? MetadataString(string name) => MetadataValue(name) is { } value ? Payloads.DecodeTwice(value) : null;

    /// <summary>A metadata entry by name; the host writes PascalCase, other casings are accepted too.</summary>
    public JsonElement? MetadataValue(string name)
    {
        if (Metadata is null)
        {
            return null;
        }
        if (Metadata.TryGetValue(name, out var exact))
        {
            return exact;
        }
        foreach (var (key, value) in Metadata)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>A metadata array (e.g. <c>MessageIdArray</c> of a batch), each entry decoded like <see cref="MetadataString"/>.</summary>
    public IReadOnlyList<string?>? MetadataArray(string name)
    {
        if (MetadataValue(name) is not { } value)
        {
            return null;
        }
        var array = Payloads.Unwrap(value, JsonValueKind.Array);
        return array.ValueKind == JsonValueKind.Array ? [.. array.EnumerateArray().Select(Payloads.DecodeTwice)] : null;
    }
}

/// <summary>What a custom handler answers: output bindings by name, log lines, the return value.</summary>
public sealed record InvocationResult(
    [property: JsonPropertyName("Outputs")] Dictionary<string, object?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] object? ReturnValue);

/// <summary>Helpers for the loosely typed parts of host payloads.</summary>
public static class Payloads
{
    public static bool TryParse(string? text, out JsonElement element)
    {
        element = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            element = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// <paramref name="value"/>, or, when it is a string holding JSON (of <paramref name="kind"/>,
    /// if given), that JSON parsed: the host sends some objects and arrays as JSON text.
    /// </summary>
    public static JsonElement Unwrap(JsonElement value, JsonValueKind? kind = null) =>
        value.ValueKind == JsonValueKind.String && TryParse(value.GetString(), out var parsed) && (kind is null || parsed.ValueKind == kind)
            ? parsed
            : value;

    public static string? DecodeTwice(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var text = value.GetString()!;
                return text.Length >= 2 && text[0] == '"' && TryParse(text, out var inner) && inner.ValueKind == JsonValueKind.String
                    ? inner.GetString()
                    : text;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            default:
                return value.GetRawText();
        }
    }

    /// <summary>A binding value as message text: a string as it is, anything else as its JSON.</summary>
    public static string AsText(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
