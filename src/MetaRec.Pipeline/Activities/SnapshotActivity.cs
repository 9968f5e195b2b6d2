using System.Globalization;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Protocols;
using MetaRec.Pipeline.Orchestration;
using MetaRec.Pipeline.Snapshots;
using MetaRec.Storage.Interactions;
using MetaRec.Storage.Snapshots;
using Microsoft.DurableTask;

namespace MetaRec.Pipeline.Activities;

/// <summary>
/// Snapshot: the run's training data is its base dataset (if any) plus every event the
/// interaction log holds up to the run's start watermark, deduplicated by event id
/// (<see cref="TrainingDataBuilder"/>), less the data of users deleted since (tombstones). It is written to a fresh local folder, then put into
/// storage with its manifest (counts, fingerprint, sources); the job trains on that copy and
/// refuses it if it no longer has that fingerprint. The same watermark always gives the same
/// bytes, and putting the same run again replaces the copy, so a replayed step is harmless.
/// </summary>
public sealed class SnapshotActivity(ISnapshotStore snapshots, IInteractionLog log) : TaskActivity<SnapshotInput, SnapshotResult>
{
    public override async Task<SnapshotResult> RunAsync(TaskActivityContext context, SnapshotInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var folder = Directory.CreateTempSubdirectory("metarec-snapshot-").FullName;
        try
        {
            var data = await new TrainingDataBuilder(log).BuildAsync(input.Data, input.Log, folder).ConfigureAwait(false);
            await snapshots.PutAsync(input.RunId, data.Path, SnapshotFile.ToJson(data.ToSnapshot(ColdStartProtocol.Name, input.Seed))).ConfigureAwait(false);
            var sources = data.Sources;
            var outcome = string.Create(CultureInfo.InvariantCulture,
                $"data {data.Fingerprint[..12]}: {data.Users} users, {data.Items} items, {data.Interactions} interactions ({sources.BaseInteractions} from {(sources.BasePath is null ? "no base dataset" : "the base dataset")}, {sources.LogInteractions} of {sources.LogEvents} logged events; {sources.DuplicatesSkipped} duplicates, {sources.UnknownItemsSkipped} unknown items and {sources.InvalidSkipped} invalid skipped; {sources.ErasedEvents} logged events and {sources.ErasedBaseUsers} base users of deleted users left out), copied to storage");
            return new SnapshotResult(data.Fingerprint, data.Users, data.Items, data.Interactions, outcome, sources.LogInteractions);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
