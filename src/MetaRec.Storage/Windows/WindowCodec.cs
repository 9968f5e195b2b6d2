using System.Text.Json;

namespace MetaRec.Storage.Windows;

/// <summary>The JSON a window is stored as (without its ETag, which belongs to the store).</summary>
internal static class WindowCodec
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Stored(string UserId, IReadOnlyList<WindowEvent> Events, long Applied);

    public static byte[] Encode(UserWindow window) =>
        JsonSerializer.SerializeToUtf8Bytes(new Stored(window.UserId, window.Events, window.Applied), Json);

    public static UserWindow Decode(byte[] bytes, string where, string etag)
    {
        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(bytes, Json) ?? throw new InvalidDataException($"{where} is empty");
            return new UserWindow(stored.UserId, stored.Events ?? [], stored.Applied, etag);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{where} is not a user window: {e.Message}", e);
        }
    }
}
