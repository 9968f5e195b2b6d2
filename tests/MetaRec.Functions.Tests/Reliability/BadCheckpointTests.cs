using System.Text.Json.Nodes;
using MetaRec.Functions.Serving;
using MetaRec.Storage;
using MetaRec.Testing;
using Microsoft.Extensions.DependencyInjection;
using static MetaRec.Functions.Tests.AppRequests;

namespace MetaRec.Functions.Tests.Reliability;

/// <summary>
/// Storage faults on the checkpoints themselves, on the embedded default: an active version's
/// weights flipped, torn (cut short) or its manifest's hash tampered, after it was promoted. No
/// bad model ever serves: a running instance keeps the version it serves, a starting one serves
/// the newest earlier version that loads, and the next good promotion is served.
/// </summary>
public sealed class BadCheckpointTests : IDisposable
{
    private readonly TempFolder _temp = new("metarec-bad-checkpoint-");
    private readonly byte[] _weights = TrainedModels.Train(seed: 1, steps: 3);

    public void Dispose() => _temp.Dispose();

    private string Version(string version, string file) => Path.Combine(_temp.Path, "models", "limaml", version, file);

    // The poll is an hour: each test refreshes by hand, after the fault is in place.
    private FunctionAppFactory Host() => FunctionAppFactory.Folder(_temp.Path, new Dictionary<string, string> { ["MetaRec:ModelPollInterval"] = "01:00:00" });

    [Fact]
    public async Task Flipped_torn_and_tampered_checkpoints_never_serve_and_the_next_good_one_does()
    {
        var registry = new StorageOptions { Backend = "folder", Folder = _temp.Path }.CreateRegistry();
        await TrainedModels.RegisterAsync(registry, "v1", _weights, promote: true);
        await using var app = Host();
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);
        var models = app.Services.GetRequiredService<ActiveModelProvider>();
        Assert.Equal("v1", models.Version);

        var faults = new (string Version, Action<string> Inject)[]
        {
            ("v2-flipped", v => FlipByte(Version(v, "weights.bin"))),
            ("v3-torn", v => CutShort(Version(v, "weights.bin"))),
            ("v4-manifest", v => TamperHash(Version(v, "manifest.json"))),
        };
        foreach (var (version, inject) in faults)
        {
            await TrainedModels.RegisterAsync(registry, version, _weights, promote: true); // sound when promoted
            inject(version);

            Assert.False(await models.RefreshAsync(CancellationToken.None));
            Assert.Equal("v1", models.Version);
            Assert.Equal("v1", (await RecommendAsync(client, "anyone")).GetProperty("modelVersion").GetString());
            Assert.False(await models.RefreshAsync(CancellationToken.None)); // and it is not tried again
        }

        await TrainedModels.RegisterAsync(registry, "v5", _weights, promote: true);
        Assert.True(await models.RefreshAsync(CancellationToken.None));
        Assert.Equal("v5", (await RecommendAsync(client, "anyone")).GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task An_instance_starting_on_a_bad_active_version_serves_the_newest_earlier_one_that_loads()
    {
        var registry = new StorageOptions { Backend = "folder", Folder = _temp.Path }.CreateRegistry();
        await TrainedModels.RegisterAsync(registry, "v1", _weights, promote: true);
        await TrainedModels.RegisterAsync(registry, "v2", _weights, promote: true);
        await TrainedModels.RegisterAsync(registry, "v3", _weights, promote: true);
        FlipByte(Version("v3", "weights.bin"));
        CutShort(Version("v2", "weights.bin"));

        await using var app = Host();
        using var client = app.Authorized();
        await EndToEndTests.WaitReadyAsync(client);

        Assert.Equal("v3", (await registry.GetActiveAsync("limaml"))!.Version); // the pointer is left to whoever fixes it
        Assert.Equal("v1", (await RecommendAsync(client, "anyone")).GetProperty("modelVersion").GetString());
    }

    [Fact]
    public async Task An_instance_with_no_version_that_loads_stays_not_ready()
    {
        var registry = new StorageOptions { Backend = "folder", Folder = _temp.Path }.CreateRegistry();
        await TrainedModels.RegisterAsync(registry, "v1", _weights, promote: true);
        TamperHash(Version("v1", "manifest.json"));

        await using var app = Host();
        using var client = app.Authorized();
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.False(app.Services.GetRequiredService<ActiveModelProvider>().IsReady);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/api/ready")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/api/users/anyone/recommendations")).StatusCode);
    }

    private static void FlipByte(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A torn write: the file ends part-way.</summary>
    private static void CutShort(string path)
    {
        using var file = File.Open(path, FileMode.Open);
        file.SetLength(file.Length * 2 / 3);
    }

    /// <summary>The manifest's weights hash replaced by another well-formed one.</summary>
    private static void TamperHash(string path)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var hash = manifest["weightsSha256"]!.GetValue<string>();
        manifest["weightsSha256"] = new string([.. hash.Reverse()]);
        File.WriteAllText(path, manifest.ToJsonString());
    }
}
