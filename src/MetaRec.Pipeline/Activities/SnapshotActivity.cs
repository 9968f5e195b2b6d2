using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;
using MetaRec.Core.Protocols;
using MetaRec.Pipeline.Orchestration;
using MetaRec.Storage.Snapshots;
using Microsoft.DurableTask;

namespace MetaRec.Pipeline.Activities;

/// <summary>
/// Snapshot: reads and fingerprints the run's data, then copies it with its manifest into
/// storage; the job trains on the copy and refuses it if it no longer has that fingerprint.
/// Putting the same run again replaces the copy, so a replayed step is harmless.
/// </summary>
public sealed class SnapshotActivity(ISnapshotStore snapshots) : TaskActivity<SnapshotInput, SnapshotResult>
{
    public override async Task<SnapshotResult> RunAsync(TaskActivityContext context, SnapshotInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var dataset = DatasetReader.Read(input.Data);
        var fingerprint = DatasetFingerprint.Compute(dataset);
        var manifest = new DataSnapshot(Path.GetFullPath(input.Data), fingerprint, dataset.UserCount, dataset.ItemCount, dataset.Interactions.Count, ColdStartProtocol.Name, input.Seed);
        await snapshots.PutAsync(input.RunId, input.Data, SnapshotFile.ToJson(manifest)).ConfigureAwait(false);
        return new SnapshotResult(fingerprint, dataset.UserCount, dataset.ItemCount, dataset.Interactions.Count,
            $"data {fingerprint[..12]}: {dataset.UserCount} users, {dataset.ItemCount} items, {dataset.Interactions.Count} interactions, copied to storage");
    }
}
