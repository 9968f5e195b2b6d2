using System.Security.Cryptography;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Tests;

/// <summary>What every registry backend must do; one subclass per backend runs it.</summary>
public abstract class ModelRegistryContractTests
{
    protected abstract IModelRegistry Registry { get; }

    /// <summary>Flips one byte of the stored weights behind the registry's back.</summary>
    protected abstract Task TamperWeightsAsync(string family, string version);

    private static ModelManifest Manifest(string version, params string[] parents) =>
        new() { Family = "mpp", Version = version, Parents = parents, Metrics = new Dictionary<string, double> { ["auc"] = 0.68 } };

    private static byte[] Weights(int size, int seed) => [.. Enumerable.Range(0, size).Select(i => (byte)((i * 31) + seed))];

    [Fact]
    public async Task A_registered_version_has_its_weights_hash_and_lists_in_order()
    {
        var weights = Weights(70_000, 1);
        var stored = await Registry.RegisterAsync(Manifest("v1"), new MemoryStream(weights));
        await Registry.RegisterAsync(Manifest("v2", "v1"), new MemoryStream(Weights(10, 2)));

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(weights)), stored.WeightsSha256);
        Assert.Equal(weights.Length, stored.WeightsBytes);
        Assert.Equal(["v1", "v2"], (await Registry.ListVersionsAsync("mpp")).Select(m => m.Version));
        Assert.Contains("mpp", await Registry.ListFamiliesAsync());
        var read = await Registry.GetManifestAsync("mpp", "v2");
        Assert.Equal(["v1"], read.Parents);
        Assert.Equal(0.68, read.Metrics["auc"]);
    }

    [Fact]
    public async Task Versions_are_immutable()
    {
        await Registry.RegisterAsync(Manifest("v1"), new MemoryStream(Weights(10, 1)));
        await Assert.ThrowsAsync<RegistryConflictException>(() => Registry.RegisterAsync(Manifest("v1"), new MemoryStream(Weights(10, 2))));
    }

    [Fact]
    public async Task Weights_stream_back_verified_and_identical()
    {
        var weights = Weights(5 << 20, 3); // 5 MiB: several blocks
        await Registry.RegisterAsync(Manifest("big"), new MemoryStream(weights));
        using var copy = new MemoryStream();

        await Registry.DownloadWeightsAsync("mpp", "big", copy);

        Assert.Equal(weights, copy.ToArray());
    }

    [Fact]
    public async Task A_corrupted_checkpoint_is_refused_and_never_becomes_active()
    {
        await Registry.RegisterAsync(Manifest("v1"), new MemoryStream(Weights(1000, 1)));
        await Registry.RegisterAsync(Manifest("v2"), new MemoryStream(Weights(1000, 2)));
        var active = await Registry.PromoteAsync("mpp", "v1", expectedETag: null);
        await TamperWeightsAsync("mpp", "v2");

        await Assert.ThrowsAsync<CorruptCheckpointException>(() => Registry.DownloadWeightsAsync("mpp", "v2", Stream.Null));
        var error = await Assert.ThrowsAsync<CorruptCheckpointException>(() => Registry.PromoteAsync("mpp", "v2", active.ETag));

        Assert.Contains("mpp/v2", error.Message, StringComparison.Ordinal);
        Assert.Equal("v1", (await Registry.GetActiveAsync("mpp"))!.Version);
    }

    [Fact]
    public async Task Promotion_is_compare_and_swap()
    {
        await Registry.RegisterAsync(Manifest("v1"), new MemoryStream(Weights(100, 1)));
        await Registry.RegisterAsync(Manifest("v2"), new MemoryStream(Weights(100, 2)));
        Assert.Null(await Registry.GetActiveAsync("mpp"));

        var first = await Registry.PromoteAsync("mpp", "v1", expectedETag: null);
        await Assert.ThrowsAsync<RegistryConflictException>(() => Registry.PromoteAsync("mpp", "v2", expectedETag: null));
        var second = await Registry.PromoteAsync("mpp", "v2", first.ETag);
        await Assert.ThrowsAsync<RegistryConflictException>(() => Registry.PromoteAsync("mpp", "v1", first.ETag));

        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(["v1"], second.Previous);
        var read = await Registry.GetActiveAsync("mpp");
        Assert.Equal((second.Version, second.ETag), (read!.Version, read.ETag));
        Assert.Equal(second.Previous, read.Previous);
    }

    [Fact]
    public async Task Of_two_concurrent_promotions_exactly_one_wins()
    {
        for (var i = 0; i < 3; i++)
        {
            await Registry.RegisterAsync(Manifest($"v{i}"), new MemoryStream(Weights(100, i)));
        }
        var start = await Registry.PromoteAsync("mpp", "v0", expectedETag: null);

        var attempts = new[] { "v1", "v2" }.Select(v => Task.Run(async () =>
        {
            try
            {
                return (await Registry.PromoteAsync("mpp", v, start.ETag)).Version;
            }
            catch (RegistryConflictException)
            {
                return null;
            }
        })).ToArray();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(winner, (await Registry.GetActiveAsync("mpp"))!.Version);
    }

    [Fact]
    public async Task Rollback_returns_to_the_previous_version()
    {
        await Registry.RegisterAsync(Manifest("v1"), new MemoryStream(Weights(100, 1)));
        await Registry.RegisterAsync(Manifest("v2"), new MemoryStream(Weights(100, 2)));
        var first = await Registry.PromoteAsync("mpp", "v1", null);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Registry.RollbackAsync("mpp", first.ETag));
        var second = await Registry.PromoteAsync("mpp", "v2", first.ETag);

        var rolledBack = await Registry.RollbackAsync("mpp", second.ETag);

        Assert.Equal("v1", rolledBack.Version);
        Assert.Empty(rolledBack.Previous);
    }

    [Fact]
    public async Task Pruning_keeps_the_latest_the_active_its_history_and_their_lineage()
    {
        var clock = DateTimeOffset.UnixEpoch;
        async Task Add(string version, params string[] parents)
        {
            clock = clock.AddMinutes(1);
            await Registry.RegisterAsync(Manifest(version, parents) with { CreatedUtc = clock }, new MemoryStream(Weights(10, version.Length)));
        }
        await Add("a");
        await Add("b");
        await Add("c", "a"); // c derives from a
        await Add("d");
        await Add("e");
        await Add("f");
        var active = await Registry.PromoteAsync("mpp", "d", null);
        await Registry.PromoteAsync("mpp", "c", active.ETag); // active c, previous d

        var deleted = await Registry.PruneAsync("mpp", keepLatest: 1);

        Assert.Equal(["b", "e"], deleted.Order(StringComparer.Ordinal));
        Assert.Equal(["a", "c", "d", "f"], (await Registry.ListVersionsAsync("mpp")).Select(m => m.Version));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Registry.GetManifestAsync("mpp", "b"));
        await Registry.DownloadWeightsAsync("mpp", "a", Stream.Null);
    }

    [Fact]
    public async Task An_interrupted_upload_leaves_nothing_visible_and_can_be_repeated()
    {
        var failing = new FailingStream(new MemoryStream(Weights(3 << 20, 1)), failAfter: 1 << 20);

        await Assert.ThrowsAsync<IOException>(() => Registry.RegisterAsync(Manifest("v1"), failing));

        Assert.Empty(await Registry.ListVersionsAsync("mpp"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Registry.GetManifestAsync("mpp", "v1"));
        var stored = await Registry.RegisterAsync(Manifest("v1"), new MemoryStream(Weights(3 << 20, 1)));
        Assert.Equal(3 << 20, stored.WeightsBytes);
        await Registry.PromoteAsync("mpp", "v1", null);
    }

    [Theory]
    [InlineData("../etc", "v1", "family")]
    [InlineData("MPP", "v1", "family")]
    [InlineData("mpp", "../../active", "version")]
    [InlineData("mpp", "a/b", "version")]
    [InlineData("mpp", "", "version")]
    public async Task Names_that_could_escape_their_folder_are_refused(string family, string version, string field)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Registry.RegisterAsync(new ModelManifest { Family = family, Version = version }, new MemoryStream([1])));
        Assert.Equal(field, error.ParamName);
    }

    /// <summary>A source that dies part-way, like a writer killed mid-upload.</summary>
    private sealed class FailingStream(Stream inner, long failAfter) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_read >= failAfter)
            {
                throw new IOException("writer died mid-upload");
            }
            var read = inner.Read(buffer, offset, (int)Math.Min(count, failAfter - _read));
            _read += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
