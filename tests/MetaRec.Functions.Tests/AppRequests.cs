using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace MetaRec.Functions.Tests;

/// <summary>The requests the HTTP tests send again and again: post an event, ask for recommendations, wait for an answer.</summary>
internal static class AppRequests
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Posts one event with rating 5 and expects it queued (202).</summary>
    public static async Task PostEventAsync(HttpClient client, string eventId, string userId, string itemId, long timestamp)
    {
        var response = await client.PostAsJsonAsync("/api/events", new { eventId, userId, itemId, rating = 5, timestamp });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>The user's top <paramref name="k"/>, history excluded; expects 200.</summary>
    public static Task<JsonElement> RecommendAsync(HttpClient client, string user, int k = 10) =>
        GetAsync(client, $"/api/users/{user}/recommendations?k={k}&excludeSeen=true");

    /// <summary>GETs <paramref name="path"/>, expects 200, and reads the JSON answer.</summary>
    public static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json);
    }

    /// <summary>The watermark of the state an answer was scored with; null for a cold user.</summary>
    public static long? Watermark(JsonElement answer) =>
        answer.GetProperty("watermark").ValueKind == JsonValueKind.Null ? null : answer.GetProperty("watermark").GetInt64();

    /// <summary>Asks for the user's recommendations until <paramref name="done"/> holds for an answer (<paramref name="timeout"/>, 30 s by default, at most).</summary>
    public static async Task<JsonElement> RecommendWhenAsync(HttpClient client, string user, Func<JsonElement, bool> done, TimeSpan? timeout = null)
    {
        var found = await EndToEndTests.EventuallyAsync(async () =>
        {
            var answer = await RecommendAsync(client, user);
            return done(answer) ? new StrongBox<JsonElement>(answer) : null;
        }, timeout);
        return found.Value;
    }
}
