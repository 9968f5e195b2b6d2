using System.Globalization;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Plugins;
using MetaRec.Core.Protocols;
using MetaRec.Core.Training;
using MetaRec.Pipeline.Orchestration;
using MetaRec.Storage.Registry;
using MetaRec.Storage.Snapshots;
using Microsoft.DurableTask;

namespace MetaRec.Pipeline.Activities;

/// <summary>
/// Evaluate + quality gate: the candidate the job registered and the active model are scored on
/// the same held-out users (the test users of the job's own split of the snapshot); the
/// candidate passes when it beats the active model by more than the margin (strictly: a tie
/// does not pass), or when nothing is active. Reads only, so a replay is harmless.
/// </summary>
public sealed class EvaluateActivity(IModelRegistry registry, ISnapshotStore snapshots, PluginCatalog plugins) : TaskActivity<EvaluateInput, GateVerdict>
{
    public override async Task<GateVerdict> RunAsync(TaskActivityContext context, EvaluateInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = input.Request;
        ModelManifest manifest;
        try
        {
            manifest = await registry.GetManifestAsync(request.Family, input.Version).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            return Invalid($"the job succeeded but registered no checkpoint {request.Family}/{input.Version}");
        }
        if (manifest.DataSnapshot != input.Snapshot)
        {
            return Invalid($"the job trained on data {manifest.DataSnapshot?[..12]}, not the snapshot {input.Snapshot[..12]}");
        }
        using var candidate = await LoadAsync(request.Family, input.Version).ConfigureAwait(false);
        var copy = await snapshots.ReadAsync(input.RunId, c => SnapshotFile.OpenCopy(c.Manifest, c.DataPath, $"run {input.RunId}'s snapshot manifest")).ConfigureAwait(false);
        var split = Protocol.Split(ColdStartProtocol.Name, copy.Dataset, new ColdStartOptions { Seed = request.Seed });
        var ours = ModelEvaluation.Evaluate(candidate, split.Test).Metric(request.Metric);
        var metrics = new Dictionary<string, double> { ["candidate." + request.Metric] = ours };
        var active = await registry.GetActiveAsync(request.Family).ConfigureAwait(false);
        if (active is null)
        {
            return new GateVerdict(true, string.Create(CultureInfo.InvariantCulture, $"candidate {request.Metric} {ours:F4}; nothing active: passes the gate"), metrics, null);
        }
        using var incumbent = await LoadAsync(request.Family, active.Version).ConfigureAwait(false);
        var theirs = ModelEvaluation.Evaluate(incumbent, split.Test).Metric(request.Metric);
        metrics["active." + request.Metric] = theirs;
        var better = request.Metric == "logloss" ? ours < theirs - request.Margin : ours > theirs + request.Margin;
        var verdict = string.Create(CultureInfo.InvariantCulture,
            $"candidate {request.Metric} {ours:F4} vs active {active.Version} {theirs:F4} on {split.Test.Count} held-out users (margin {request.Margin}, a tie does not pass): {(better ? "passes" : "does not pass")} the gate");
        return new GateVerdict(better, verdict, metrics, active.Version);
    }

    private static GateVerdict Invalid(string reason) => new(false, reason, new Dictionary<string, double>(), null, Invalid: true);

    private async Task<Abstractions.IRecModel> LoadAsync(string family, string version) =>
        (await registry.LoadAsync(family, version, plugins.Get(family).Load).ConfigureAwait(false)).Value;
}
