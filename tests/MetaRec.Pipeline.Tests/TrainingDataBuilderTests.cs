using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;
using MetaRec.Pipeline.Snapshots;
using MetaRec.Storage.Interactions;
using MetaRec.Storage.Snapshots;
using MetaRec.Testing;

namespace MetaRec.Pipeline.Tests;

/// <summary>
/// The training data of a run: the real shared datasets as the base, a real folder interaction
/// log, the result read back through <see cref="DatasetReader"/> as the training job reads it.
/// </summary>
public sealed class TrainingDataBuilderTests : IDisposable
{
    private const long Day = 86_400;
    private const long Now = 1_700_000_000; // 2023-11-14, after every rating of the bases

    private static readonly string Latest = DatasetPaths.Require("tiny/ml-latest-small-tiny");
    private static readonly string Ml100K = DatasetPaths.Require("tiny/ml-100k-tiny");

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("metarec-training-data-");

    public void Dispose() => _root.Delete(recursive: true);

    private FolderInteractionLog Log(string name = "log") => new(Path.Combine(_root.FullName, name));

    private string Out(string name) => Path.Combine(_root.FullName, name);

    private static InteractionEvent Event(string id, string user, string item, float rating = 4.5f, long time = Now) => new(id, user, item, rating, time);

    private static List<(string Item, float Rating, long Time)> InteractionsOf(InteractionDataset data, string user) =>
        [.. data.Interactions.Where(i => data.UserIds[i.User] == user).Select(i => (data.ItemIds[i.Item], i.Rating, i.Timestamp)).OrderBy(i => i.Item3)];

    [Fact]
    public async Task Logged_events_join_the_base_and_the_training_job_reads_them_back()
    {
        var baseData = DatasetReader.Read(Latest);
        var (toyStory, jumanji) = (baseData.ItemIds[0], baseData.ItemIds[1]);
        var log = Log();
        await log.AppendAsync([Event("e1", "web-7", toyStory, 5f, Now), Event("e2", "web-7", jumanji, 2f, Now + 10), Event("e3", "1", jumanji, 3.5f, Now + 20)]);

        var data = await new TrainingDataBuilder(log).BuildAsync(Latest, await log.SnapshotAsync(), Out("data"));

        var read = DatasetReader.Read(data.Path);
        Assert.Equal([(toyStory, 5f, Now), (jumanji, 2f, Now + 10)], InteractionsOf(read, "web-7"));
        Assert.Contains((jumanji, 3.5f, Now + 20), InteractionsOf(read, "1")); // a user of the base is that user
        Assert.Equal((baseData.UserCount + 1, baseData.ItemCount, baseData.Interactions.Count + 3), (read.UserCount, read.ItemCount, read.Interactions.Count));
        Assert.Equal((data.Users, data.Items, data.Interactions), (read.UserCount, read.ItemCount, read.Interactions.Count));
        Assert.Equal(data.Fingerprint, DatasetFingerprint.Compute(read));
        Assert.NotEqual(DatasetFingerprint.Compute(baseData), data.Fingerprint);
        Assert.Equal(baseData.ItemIds, read.ItemIds); // the catalogue keeps its order and features
        Assert.Equal(baseData.ItemFeatureNames, read.ItemFeatureNames);
        Assert.Equal(baseData.ItemFeatures, read.ItemFeatures);
        Assert.Equal(
            (Path.GetFullPath(Latest), DatasetFingerprint.Compute(baseData), baseData.Interactions.Count, 3L, 3, 0L, 0, 0, 1, 0),
            (data.Sources.BasePath, data.Sources.BaseFingerprint, data.Sources.BaseInteractions, data.Sources.LogEvents, data.Sources.LogInteractions,
                data.Sources.DuplicatesSkipped, data.Sources.UnknownItemsSkipped, data.Sources.InvalidSkipped, data.Sources.NewUsers, data.Sources.NewItems));
    }

    [Fact]
    public async Task The_snapshot_store_holds_the_data_and_a_manifest_with_counts_fingerprint_and_watermark()
    {
        var log = Log();
        await log.AppendAsync([Event("e1", "web-1", "1"), Event("e2", "web-1", "2", time: Now + Day)]);
        var watermark = await log.SnapshotAsync();
        var data = await new TrainingDataBuilder(log).BuildAsync(Latest, watermark, Out("data"));
        var store = new FolderSnapshotStore(Out("storage"));

        await store.PutAsync("run-1", data.Path, SnapshotFile.ToJson(data.ToSnapshot("cold-start", 7)));

        // What `metarec train --snapshot-run` does: copy, then refuse the copy unless its fingerprint is the manifest's.
        var (manifest, dataset) = await store.ReadAsync("run-1", copy => SnapshotFile.OpenCopy(copy.Manifest, copy.DataPath, "run-1"));
        Assert.Equal(2, InteractionsOf(dataset, "web-1").Count);
        Assert.Equal((data.Fingerprint, data.Users, data.Interactions, "cold-start", 7), (manifest.Fingerprint, manifest.Users, manifest.Interactions, manifest.Protocol, manifest.SplitSeed));
        var log2 = Assert.IsType<DataSources>(manifest.Sources).Log;
        Assert.Equal((watermark.Fingerprint, watermark.Events, 2), (log2.Fingerprint, log2.Events, log2.Parts.Count));
        Assert.Equal(watermark.Parts.Select(p => (p.Day, p.Bytes)), log2.Parts.Select(p => (p.Day, p.Bytes)));
    }

    [Fact]
    public async Task The_training_job_trains_on_the_stored_snapshot_and_its_checkpoint_records_the_sources()
    {
        var shipped = Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small");
        var log = Log();
        await log.AppendAsync([.. Enumerable.Range(0, 12).Select(i => Event($"e{i}", "web-1", (i + 1).ToString(CultureInfo.InvariantCulture), 1 + (i % 5), Now + i))]);
        var data = await new TrainingDataBuilder(log).BuildAsync(shipped, await log.SnapshotAsync(), Out("data"));
        var storage = Out("storage");
        await new FolderSnapshotStore(storage).PutAsync("run-1", data.Path, SnapshotFile.ToJson(data.ToSnapshot("cold-start", 1)));

        var cli = typeof(TrainingDataBuilderTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MetaRec.CliDll").Value!;
        using var job = Process.Start(new ProcessStartInfo("dotnet",
            [cli, "train", "--family", "mpp", "--epochs", "1", "--snapshot-run", "run-1", "--storage-folder", storage, "--out", Out("ckpt")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = job.StandardOutput.ReadToEndAsync();
        var error = await job.StandardError.ReadToEndAsync();
        await job.WaitForExitAsync();

        Assert.True(job.ExitCode == 0, await output + error);
        var manifest = CheckpointFolder.ReadManifest(Out("ckpt"));
        Assert.Equal((data.Fingerprint, data.Users), (manifest.Data.Fingerprint, manifest.Data.Users));
        Assert.Equal((12L, 12, 1), (manifest.Data.Sources?.LogEvents, manifest.Data.Sources?.LogInteractions, manifest.Data.Sources?.NewUsers));
    }

    [Fact]
    public async Task A_redelivered_event_counts_once_and_events_after_the_watermark_stay_out()
    {
        var log = Log();
        await log.AppendAsync([Event("e1", "web-1", "1"), Event("e2", "web-2", "2")]);
        await log.AppendAsync([Event("e1", "web-1", "1")]); // a re-delivery, stored twice
        var watermark = await log.SnapshotAsync();
        await log.AppendAsync([Event("late-same-day", "web-3", "3"), Event("late-next-day", "web-4", "3", time: Now + Day)]);

        var data = await new TrainingDataBuilder(log).BuildAsync(Latest, watermark, Out("data"));

        var read = DatasetReader.Read(data.Path);
        Assert.Single(InteractionsOf(read, "web-1"));
        Assert.Single(InteractionsOf(read, "web-2"));
        Assert.DoesNotContain("web-3", read.UserIds);
        Assert.DoesNotContain("web-4", read.UserIds);
        Assert.Equal((2L, 2, 1L), (data.Sources.LogEvents, data.Sources.LogInteractions, data.Sources.DuplicatesSkipped));
        Assert.Equal(DatasetReader.Read(Latest).Interactions.Count + 2, data.Interactions);
    }

    [Fact]
    public async Task The_same_base_and_watermark_give_the_same_bytes_whatever_order_events_arrived_in()
    {
        InteractionEvent[] events = [Event("a", "web-1", "1", 4f, Now), Event("b", "web-2", "2", 3f, Now), Event("c", "web-1", "3", 1f, Now - Day), Event("d", "2", "1", 5f, Now + 5)];
        var first = Log("first");
        await first.AppendAsync(events);
        var second = Log("second");
        foreach (var e in Enumerable.Reverse(events))
        {
            await second.AppendAsync([e]);
        }
        var watermark = await first.SnapshotAsync();

        var one = await new TrainingDataBuilder(first).BuildAsync(Latest, watermark, Out("one"));
        await first.AppendAsync([Event("e", "web-9", "1")]); // after the watermark: changes nothing
        var again = await new TrainingDataBuilder(first).BuildAsync(Latest, watermark, Out("again"));
        var reversed = await new TrainingDataBuilder(second).BuildAsync(Latest, await second.SnapshotAsync(), Out("reversed"));

        Assert.Equal(one.Fingerprint, again.Fingerprint);
        Assert.Equal(one.Fingerprint, reversed.Fingerprint);
        foreach (var file in DatasetFolder.Files)
        {
            var bytes = await File.ReadAllBytesAsync(Path.Combine(one.Path, file));
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(again.Path, file)));
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(reversed.Path, file)));
        }
        Assert.Equal(["web-1", "web-2"], DatasetReader.Read(one.Path).UserIds.Skip(DatasetReader.Read(Latest).UserCount)); // new users by first event
    }

    [Fact]
    public async Task Items_missing_from_the_catalogue_are_left_out_and_counted_unless_allowed()
    {
        var log = Log();
        await log.AppendAsync([Event("e1", "web-1", "no-such-movie"), Event("e2", "web-1", "1"), Event("e3", "web-2", "no-such-movie")]);
        var watermark = await log.SnapshotAsync();
        var baseData = DatasetReader.Read(Latest);

        var strict = await new TrainingDataBuilder(log).BuildAsync(Latest, watermark, Out("strict"));
        var open = await new TrainingDataBuilder(log, new TrainingDataOptions { AddItemsMissingFromCatalogue = true }).BuildAsync(Latest, watermark, Out("open"));

        var kept = DatasetReader.Read(strict.Path);
        Assert.Equal((2, 1, 1), (strict.Sources.UnknownItemsSkipped, strict.Sources.LogInteractions, strict.Sources.NewUsers)); // web-2 had only the unknown item
        Assert.DoesNotContain("no-such-movie", kept.ItemIds);
        Assert.DoesNotContain("web-2", kept.UserIds);
        var added = DatasetReader.Read(open.Path);
        Assert.Equal((0, 3, 2, 1), (open.Sources.UnknownItemsSkipped, open.Sources.LogInteractions, open.Sources.NewUsers, open.Sources.NewItems));
        var item = added.ItemIds.ToList().IndexOf("no-such-movie");
        Assert.Equal(baseData.ItemCount, item); // appended after the catalogue, without features
        Assert.All(added.ItemFeatures.AsSpan(item * added.ItemFeatureCount, added.ItemFeatureCount).ToArray(), f => Assert.Equal(0f, f));
    }

    [Fact]
    public async Task A_base_with_user_fields_keeps_them_and_new_users_are_unknown_in_each()
    {
        var baseData = DatasetReader.Read(Ml100K);
        var log = Log();
        await log.AppendAsync([Event("e1", "web-1", baseData.ItemIds[0], 4f), Event("e2", "web-1", "9999", 4f)]);

        var data = await new TrainingDataBuilder(log).BuildAsync(Ml100K, await log.SnapshotAsync(), Out("data"));
        var alone = await new TrainingDataBuilder(log).BuildAsync(Ml100K, new SnapshotManifest(DateTimeOffset.UnixEpoch, [], 0, 0, "none"), Out("alone"));

        var read = DatasetReader.Read(data.Path);
        Assert.Equal(baseData.UserFieldNames, read.UserFieldNames);
        Assert.Equal(baseData.UserFieldCardinalities, read.UserFieldCardinalities);
        Assert.Equal(baseData.UserFields, read.UserFields.AsSpan(0, baseData.UserFields.Length).ToArray());
        Assert.Equal([0, 0, 0], read.UserFieldsOf(read.UserIds.ToList().IndexOf("web-1")));
        Assert.Equal(1, data.Sources.UnknownItemsSkipped); // item 9999 is not in u.item
        // With no events the base is rewritten as it is: the same data and fingerprint.
        var copy = DatasetReader.Read(alone.Path);
        Assert.Equal(DatasetFingerprint.Compute(baseData), alone.Fingerprint);
        Assert.Equal(baseData.UserIds, copy.UserIds);
        Assert.Equal(baseData.ItemIds, copy.ItemIds);
        Assert.Equal(baseData.ItemFeatures, copy.ItemFeatures);
        Assert.Equal(baseData.Interactions, copy.Interactions);
    }

    [Fact]
    public async Task The_log_alone_forms_a_dataset_with_ratings_or_labels()
    {
        var ratings = Log("ratings");
        await ratings.AppendAsync([Event("e1", "u-1", "sku-1", 4.5f), Event("e2", "u-2", "sku-1", 1f, Now + 1), Event("e3", "u-2", "sku-2", 3f, Now + 2)]);
        var labels = Log("labels");
        await labels.AppendAsync([Event("e1", "u-1", "sku-1", 1f), Event("e2", "u-2", "sku-2", 0f, Now + 1)]);

        var rated = await new TrainingDataBuilder(ratings).BuildAsync(null, await ratings.SnapshotAsync(), Out("rated"));
        var labelled = await new TrainingDataBuilder(labels).BuildAsync(null, await labels.SnapshotAsync(), Out("labelled"));

        var read = DatasetReader.Read(rated.Path);
        Assert.Equal(["u-1", "u-2"], read.UserIds);
        Assert.Equal(["sku-1", "sku-2"], read.ItemIds);
        Assert.True(read.HasRatings);
        Assert.Equal([("sku-1", 1f, Now + 1), ("sku-2", 3f, Now + 2)], InteractionsOf(read, "u-2"));
        Assert.Equal((null, null, 0, 2, 2), (rated.Sources.BasePath, rated.Sources.BaseFingerprint, rated.Sources.BaseInteractions, rated.Sources.NewUsers, rated.Sources.NewItems));
        Assert.False(DatasetReader.Read(labelled.Path).HasRatings);
        Assert.Equal(2, labelled.Interactions);
    }

    [Fact]
    public async Task No_base_and_no_events_is_an_error_and_so_is_a_folder_with_other_files()
    {
        var log = Log();
        var empty = await log.SnapshotAsync();

        var nothing = await Assert.ThrowsAsync<InvalidOperationException>(() => new TrainingDataBuilder(log).BuildAsync(null, empty, Out("data")));
        Assert.Contains("no base dataset and no logged events", nothing.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out("data")));

        Directory.CreateDirectory(Out("busy"));
        await File.WriteAllTextAsync(Path.Combine(Out("busy"), "notes.txt"), "x");
        var busy = await Assert.ThrowsAsync<IOException>(() => new TrainingDataBuilder(log).BuildAsync(Latest, empty, Out("busy")));
        Assert.Contains("notes.txt", busy.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<FileNotFoundException>(() => new TrainingDataBuilder(log).BuildAsync(Out("nowhere"), empty, Out("data")));
    }

    [Fact]
    public async Task A_deleted_users_events_up_to_the_tombstone_are_left_out_and_later_ones_kept()
    {
        var log = Log();
        await log.AppendAsync([Event("a1", "user-a", "sku-1", 4f, Now), Event("a2", "user-a", "sku-2", 3f, Now + 1), Event("b1", "user-b", "sku-1", 5f, Now + 2)]);
        var tombstone = await log.TombstoneAsync("user-a");
        var deleted = tombstone.DeletedUtc.ToUnixTimeSeconds();
        // Logged after the deletion: one stamped later (a new relationship), one stamped before it (late, still erased).
        await log.AppendAsync([Event("a3", "user-a", "sku-3", 2f, deleted + 60), Event("a0", "user-a", "sku-3", 1f, deleted - 60), Event("b2", "user-b", "sku-2", 4f, Now + 3)]);

        var data = await new TrainingDataBuilder(log).BuildAsync(null, await log.SnapshotAsync(), Out("data"));

        var read = DatasetReader.Read(data.Path);
        Assert.Equal([("sku-3", 2f, deleted + 60)], InteractionsOf(read, "user-a"));
        Assert.Equal([("sku-1", 5f, Now + 2), ("sku-2", 4f, Now + 3)], InteractionsOf(read, "user-b"));
        Assert.Equal((6L, 3, 3), (data.Sources.LogEvents, data.Sources.LogInteractions, data.Sources.ErasedEvents));
        Assert.Equal(3, data.Interactions);
    }

    [Fact]
    public async Task A_deleted_base_user_leaves_the_base_with_fields_and_interactions_and_returns_only_as_a_new_user()
    {
        var baseData = DatasetReader.Read(Ml100K);
        var (gone, kept) = (baseData.UserIds[0], baseData.UserIds[1]);
        var goneRows = baseData.Interactions.Count(i => i.User == 0);
        var log = Log();
        await log.AppendAsync([Event("e1", gone, baseData.ItemIds[0], 4f, Now), Event("e2", kept, baseData.ItemIds[0], 4f, Now)]);
        var deleted = (await log.TombstoneAsync(gone)).DeletedUtc.ToUnixTimeSeconds();
        await log.AppendAsync([Event("e3", gone, baseData.ItemIds[1], 5f, deleted + 1)]);

        var data = await new TrainingDataBuilder(log).BuildAsync(Ml100K, await log.SnapshotAsync(), Out("data"));

        var read = DatasetReader.Read(data.Path);
        Assert.Equal([(baseData.ItemIds[1], 5f, deleted + 1)], InteractionsOf(read, gone));
        Assert.Equal([0, 0, 0], read.UserFieldsOf(read.UserIds.ToList().IndexOf(gone))); // back as a new user: fields unknown
        Assert.Equal(read.UserIds.Count - 1, read.UserIds.ToList().IndexOf(gone)); // after every base user
        Assert.Equal(baseData.UserFieldsOf(1), read.UserFieldsOf(read.UserIds.ToList().IndexOf(kept)));
        Assert.Equal(InteractionsOf(baseData, kept).Count + 1, InteractionsOf(read, kept).Count);
        Assert.Equal(
            (1, goneRows, baseData.Interactions.Count - goneRows, 1, 1, DatasetFingerprint.Compute(baseData)),
            (data.Sources.ErasedBaseUsers, data.Sources.ErasedBaseInteractions, data.Sources.BaseInteractions, data.Sources.ErasedEvents, data.Sources.NewUsers, data.Sources.BaseFingerprint));
        Assert.Equal(baseData.Interactions.Count - goneRows + 2, read.Interactions.Count);
    }

    [Fact]
    public async Task Events_the_data_cannot_hold_are_counted_and_left_out()
    {
        var baseFile = Path.Combine(_root.FullName, "clicks.csv");
        await File.WriteAllLinesAsync(baseFile, ["user_id,item_id,label,timestamp", "u-9,sku-1,1,1"]);
        var log = Log();
        await log.AppendAsync([Event("e1", "u-1", "sku-1", 1f), Event("e2", "u-1", "sku-2", 4f), Event("e3", "u-1", "line\nbreak", 1f)]);

        var data = await new TrainingDataBuilder(log).BuildAsync(baseFile, await log.SnapshotAsync(), Out("data"));

        Assert.Equal((2, 1, 2), (data.Sources.InvalidSkipped, data.Sources.LogInteractions, data.Interactions)); // a rating of 4 in label data, a line break in an id
        Assert.False(DatasetReader.Read(data.Path).HasRatings);
    }
}
