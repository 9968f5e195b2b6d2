using System.Net;
using System.Net.Http.Json;
using MetaRec.Storage;
using MetaRec.Testing;

namespace MetaRec.Functions.Tests;

/// <summary>
/// Ids that try to leave the storage root (traversal, absolute paths, NUL, very long) on every
/// route that takes one: each answer is a 4xx, never a 5xx, and nothing is written outside the
/// storage folder.
/// </summary>
public sealed class HostileIdTests : IDisposable
{
    private readonly TempFolder _outer = new("metarec-hostile-");

    public void Dispose() => _outer.Dispose();

    public static TheoryData<string> Ids => new()
    {
        "..",
        "../../outside",
        "..\\..\\outside",
        "/etc/passwd",
        "C:\\Windows\\win.ini",
        "a\0b",
        "%2e%2e%2foutside",
        new string('u', 5000),
        "",
        " ",
    };

    [Fact]
    public async Task Every_id_taking_route_refuses_hostile_ids_with_a_4xx_and_touches_nothing_outside_storage()
    {
        var root = Path.Combine(_outer.Path, "store");
        var storage = new StorageOptions { Backend = "folder", Folder = root };
        await TrainedModels.RegisterAsync(storage.CreateRegistry(), "v1", TrainedModels.Train(seed: 1, steps: 2), promote: true);
        await using var app = FunctionAppFactory.Folder(root, new Dictionary<string, string> { ["MetaRec:Limits:RequestsPerSecond"] = "0" });
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);
        var item = TrainedModels.Dataset.ItemIds[0];
        var outsideBefore = Outside(root);

        var answers = new List<(string Route, string Id, HttpStatusCode Status)>();
        foreach (var id in Ids)
        {
            var escaped = Uri.EscapeDataString(id);
            // A NUL in a path never reaches a route: ASP.NET Core's URL decoder refuses it (Kestrel answers 400).
            var inPath = !id.Contains('\0', StringComparison.Ordinal);
            if (inPath)
            {
                answers.Add(("recommend", id, (await client.GetAsync($"/api/users/{escaped}/recommendations")).StatusCode));
                answers.Add(("delete", id, (await client.DeleteAsync($"/api/users/{escaped}")).StatusCode));
                answers.Add(("run", id, (await client.GetAsync($"/api/training-runs/{escaped}")).StatusCode));
                answers.Add(("cancel", id, (await client.PostAsync($"/api/training-runs/{escaped}/cancel", null)).StatusCode));
            }
            answers.Add(("score", id, (await client.PostAsJsonAsync("/api/score", new { userId = id, itemIds = new[] { item } })).StatusCode));
            answers.Add(("events", id, (await client.PostAsJsonAsync("/api/events", new[] { new { eventId = "e-" + id.Length, userId = id, itemId = item, rating = 5, timestamp = 1_700_000_000 } })).StatusCode));
            answers.Add(("events item", id, (await client.PostAsJsonAsync("/api/events", new[] { new { eventId = "i-" + id.Length, userId = "fine", itemId = id, rating = 5, timestamp = 1_700_000_000 } })).StatusCode));
            answers.Add(("events eventId", id, (await client.PostAsJsonAsync("/api/events", new[] { new { eventId = id, userId = "fine", itemId = item, rating = 5, timestamp = 1_700_000_000 } })).StatusCode));
        }

        // Refused (400), not found (404: an id no run can have; for an empty path segment, no
        // route), never a 5xx; a user id that names a path is never taken. Item and event ids
        // are data, never paths (an unknown item is skipped), so those may be accepted.
        var wrong = answers.Where(a => (int)a.Status >= 500
            || ((int)a.Status < 400 && !a.Route.StartsWith("events ", StringComparison.Ordinal) && a.Id.IndexOfAny(['/', '\\', '\0']) >= 0)).ToList();
        Assert.True(wrong.Count == 0, string.Join("; ", wrong.Select(a => $"{a.Route} '{Shown(a.Id)}' → {(int)a.Status}")));
        Assert.Equal(outsideBefore, Outside(root));
    }

    /// <summary>Every file and folder under the test's folder but outside the storage root.</summary>
    private string[] Outside(string root) =>
        [.. Directory.EnumerateFileSystemEntries(_outer.Path, "*", SearchOption.AllDirectories).Where(p => !p.StartsWith(root, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private static string Shown(string id) => id.Length > 40 ? id[..20] + $"…({id.Length})" : id.Replace("\0", "\\0", StringComparison.Ordinal);
}
