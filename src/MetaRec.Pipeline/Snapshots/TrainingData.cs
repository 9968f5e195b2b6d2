using MetaRec.Core.Checkpoints;

namespace MetaRec.Pipeline.Snapshots;

/// <summary>
/// A training dataset that <see cref="TrainingDataBuilder"/> wrote: where, its fingerprint and
/// counts, and what it was built from.
/// </summary>
/// <param name="Path">The folder it was written to (a <c>DatasetFolder</c>, which <c>DatasetReader</c> reads).</param>
/// <param name="Fingerprint">Its <c>DatasetFingerprint</c>.</param>
/// <param name="Users">Users in the data, the base's and the new ones.</param>
/// <param name="Items">Items in the data.</param>
/// <param name="Interactions">Interactions in the data: the base's and the logged ones kept.</param>
/// <param name="Sources">The base, the log watermark and what happened to the logged events.</param>
public sealed record TrainingData(string Path, string Fingerprint, int Users, int Items, int Interactions, DataSources Sources)
{
    /// <summary>
    /// The run's snapshot manifest for this data, with its sources: what
    /// <c>SnapshotFile.ToJson</c> stores beside the data (<c>ISnapshotStore.PutAsync(run, Path, json)</c>)
    /// and <c>metarec train --snapshot-run</c> checks the copy against.
    /// </summary>
    public DataSnapshot ToSnapshot(string protocol, int splitSeed) =>
        new(Path, Fingerprint, Users, Items, Interactions, protocol, splitSeed) { Sources = Sources };
}

/// <summary>Choices of <see cref="TrainingDataBuilder"/>.</summary>
public sealed record TrainingDataOptions
{
    /// <summary>
    /// When the base has a catalogue (item features), whether a logged event naming an item the
    /// catalogue lacks adds that item with all features 0 (true) or is left out and counted in
    /// <see cref="DataSources.UnknownItemsSkipped"/> (false, the default: the catalogue says what can
    /// be recommended, and a mistyped id should not become an item). Without item features (a
    /// generic CSV base, or no base) the items are the ids that occur, and new ones are always added.
    /// </summary>
    public bool AddItemsMissingFromCatalogue { get; init; }
}
