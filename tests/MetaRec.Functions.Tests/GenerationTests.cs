using MetaRec.Core.Plugins;
using MetaRec.Core.Protocols;
using MetaRec.Core.Tensors;
using MetaRec.Functions.Generation;
using MetaRec.Incremental;
using MetaRec.Storage.Registry;
using MetaRec.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetaRec.Functions.Tests;

/// <summary>
/// Scheduled generation end to end: period checkpoints trained by the period job on the shipped
/// ml-latest-small, the timer function run as the host's timer trigger would (its
/// <c>[TimerTrigger]</c> method with the host's <see cref="Microsoft.Azure.Functions.Worker.TimerInfo"/>),
/// the generated model registered with its lineage, promoted, and served.
/// </summary>
public sealed class GenerationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly string Data = Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small");

    // Small protocol so the test trains in seconds: 8 periods, pretrain on 3 for 2 epochs.
    private static readonly IncrementalOptions Protocol = new(Periods: 8, PretrainPeriods: 3, TestPeriods: 1, PretrainEpochs: 2, Seed: 1);

    /// <summary>What the host's timer trigger passes on a second run onwards (useMonitor on).</summary>
    private static Microsoft.Azure.Functions.Worker.TimerInfo HostTimer => new()
    {
        ScheduleStatus = new Microsoft.Azure.Functions.Worker.ScheduleStatus
        {
            Last = new DateTime(2026, 11, 22, 3, 0, 0, DateTimeKind.Utc),
            Next = new DateTime(2026, 11, 23, 3, 0, 0, DateTimeKind.Utc),
            LastUpdated = new DateTime(2026, 11, 22, 3, 0, 0, DateTimeKind.Utc),
        },
        IsPastDue = false,
    };

    private static FunctionAppFactory App(string connectionString, string container, string generator = "asmg-gru") => new(new Dictionary<string, string>
    {
        ["MetaRec:Family"] = "asmg",
        ["MetaRec:Storage:Backend"] = "azure",
        ["MetaRec:Storage:ConnectionString"] = connectionString,
        ["MetaRec:Storage:Container"] = container,
        ["MetaRec:Storage:Table"] = FunctionAppFactory.Storage(connectionString, container).Table,
        ["MetaRec:Standalone:Trigger"] = "channel",
        ["MetaRec:ModelPollInterval"] = "00:00:00.200",
        ["MetaRec:Auth:ApiKey"] = FunctionAppFactory.ApiKey,
        ["MetaRec:Generation:Generator"] = generator,
        ["MetaRec:Generation:Data"] = Data,
        ["MetaRec:Generation:Periods"] = "8",
        ["MetaRec:Generation:PretrainPeriods"] = "3",
        ["MetaRec:Generation:GeneratorSettings:epochs"] = "1",
    });

    private static async Task TrainPeriodsAsync(IModelRegistry registry, int through)
    {
        TorchRuntime.EnsureInitialized(1);
        var catalog = PluginLoader.LoadFolder(Path.Combine(AppContext.BaseDirectory, "plugins"));
        var data = PeriodData.Read(Data, Protocol);
        var job = new PeriodJob(new PeriodRegistry(registry), catalog.Get("asmg"), new Dictionary<string, string> { ["lr"] = "0.01" });
        for (var period = Protocol.PretrainPeriods; period <= through; period++)
        {
            await job.RunAsync(data, period);
        }
    }

    /// <summary>One run of the function's logic under the host's timer, with its log lines.</summary>
    private static async Task<IReadOnlyList<string>> InvokeAsync(FunctionAppFactory app)
    {
        var function = app.Services.GetRequiredService<GenerateServingModelFunction>();
        var outcome = await function.RunAsync(Timers.TimerInfo.From(HostTimer), CancellationToken.None);
        Assert.True(outcome.Succeeded, outcome.Failure);
        // The [TimerTrigger] method runs the same function and succeeds on the same state.
        await new GenerateServingModelTimer(function, NullLogger<GenerateServingModelTimer>.Instance).Run(HostTimer, CancellationToken.None);
        return outcome.Logs;
    }

    [Fact]
    public async Task The_timer_generates_the_next_model_from_the_last_periods_records_its_lineage_and_promotes_it()
    {
        var storage = FunctionAppFactory.Storage(azurite.ConnectionString, "generation");
        var registry = storage.CreateRegistry();
        await TrainPeriodsAsync(registry, through: 6); // periods 3..6: the generator (k = 3) trains once, then generates
        await using var app = App(azurite.ConnectionString, "generation");
        using var client = app.Authorized();

        var logs = (await InvokeAsync(app)).ToList();
        Assert.Contains(logs, l => l.StartsWith("trained asmg-gru on period 6 (models 3-5)", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.StartsWith("promoted asmg/generated-0007 (was none)", StringComparison.Ordinal));
        var manifest = await registry.GetManifestAsync("asmg", "generated-0007");
        Assert.Equal(["period-0004", "period-0005", "period-0006"], manifest.Parents);
        Assert.Equal("asmg-gru/through-0006", manifest.Generator);
        Assert.Equal("7", manifest.Period);
        Assert.Equal(PeriodRegistry.GeneratedRole, manifest.Role);
        Assert.InRange(manifest.Metrics["auc"], 0.5, 1);
        Assert.NotEmpty(manifest.ItemIds);
        var generator = await registry.GetManifestAsync("asmg-gru", "through-0006");
        Assert.Equal("6", generator.Period);
        Assert.Equal("generated-0007", (await registry.GetActiveAsync("asmg"))!.Version);

        // Every instance's watcher swaps the promoted model in: the app now serves it.
        await EndToEndTests.WaitReadyAsync(client);
        Assert.Equal("generated-0007", (await EndToEndTests.RecommendAsync(client, "someone")).GetProperty("modelVersion").GetString());

        // The timer fires again before a new period: nothing changes.
        var again = await InvokeAsync(app);
        Assert.Contains(again, l => l.Contains("generated-0007 already exists", StringComparison.Ordinal));
        Assert.Single(await new PeriodRegistry(registry).ListAsync("asmg-gru", PeriodRegistry.GeneratorRole));

        // A new period: the generator learns from it, and the new candidate must beat the active one.
        await TrainPeriodsAsync(registry, through: 7);
        var next = (await InvokeAsync(app)).ToList();
        Assert.Contains(next, l => l.StartsWith("trained asmg-gru on period 7 (models 4-6)", StringComparison.Ordinal));
        var candidate = await registry.GetManifestAsync("asmg", "generated-0008");
        Assert.Equal("asmg-gru/through-0007", candidate.Generator);
        Assert.True(candidate.Metrics.ContainsKey("active_auc"), "scored beside the active model");
        var promoted = candidate.Metrics["auc"] > candidate.Metrics["active_auc"];
        Assert.Equal(promoted ? "generated-0008" : "generated-0007", (await registry.GetActiveAsync("asmg"))!.Version);
        Assert.Contains(next, l => l.StartsWith(promoted ? "promoted asmg/generated-0008" : "not promoted: generated-0008", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_generator_the_timer_is_off_and_a_generator_of_another_family_fails_the_run()
    {
        await using (var off = App(azurite.ConnectionString, "generation-off", generator: string.Empty))
        {
            Assert.Contains(await InvokeAsync(off), l => l.Contains("generation is off", StringComparison.Ordinal));
        }
        var settings = new Dictionary<string, string>
        {
            ["MetaRec:Family"] = "limaml",
            ["MetaRec:Storage:Backend"] = "folder",
            ["MetaRec:Storage:Folder"] = Path.Combine(Path.GetTempPath(), "metarec-generation-" + Guid.NewGuid().ToString("N")),
            ["MetaRec:Generation:Generator"] = "asmg-gru",
            ["MetaRec:Generation:Data"] = Data,
        };
        await using var wrong = new FunctionAppFactory(settings);
        var function = wrong.Services.GetRequiredService<GenerateServingModelFunction>();
        var timer = new GenerateServingModelTimer(function, NullLogger<GenerateServingModelTimer>.Instance);
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => timer.Run(HostTimer, CancellationToken.None));
        Assert.Contains("GenerateServingModel failed: generator 'asmg-gru' generates 'asmg' models, but the app serves 'limaml'", failed.Message, StringComparison.Ordinal);
    }
}
