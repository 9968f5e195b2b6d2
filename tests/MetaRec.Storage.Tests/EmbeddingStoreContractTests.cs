using Azure.Core;
using Azure.Data.Tables;
using MetaRec.Storage.Embeddings;
using MetaRec.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MetaRec.Storage.Tests;

/// <summary>What every embedding store backend must do; one subclass per backend runs it.</summary>
public abstract class EmbeddingStoreContractTests
{
    protected abstract IEmbeddingStore Store { get; }

    private static UserEmbedding Embedding(string user, long watermark, float value, int size = 32) =>
        new(user, "limaml", "v1", [.. Enumerable.Repeat(value, size)], watermark, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task An_embedding_round_trips()
    {
        Assert.True(await Store.TryWriteAsync(Embedding("u-1", 5, 0.25f)));

        var read = await Store.GetAsync("limaml", "u-1");

        Assert.NotNull(read);
        Assert.Equal(Enumerable.Repeat(0.25f, 32), read.Values);
        Assert.Equal((5L, "v1", "u-1", "limaml"), (read.Watermark, read.ModelVersion, read.UserId, read.Family));
        Assert.Null(await Store.GetAsync("limaml", "nobody"));
    }

    [Fact]
    public async Task Deleting_a_user_removes_their_state_in_every_family_and_only_theirs()
    {
        await Store.TryWriteAsync(Embedding("gone", 3, 1f));
        await Store.TryWriteAsync(Embedding("gone", 2, 1f) with { Family = "mpp" });
        await Store.TryWriteAsync(Embedding("kept", 3, 2f));
        Assert.NotNull(await Store.GetAsync("limaml", "gone")); // read once, so a cache holds it

        Assert.Equal(2, await Store.DeleteUserAsync("gone"));
        Assert.Equal(0, await Store.DeleteUserAsync("gone")); // idempotent
        Assert.Equal(0, await Store.DeleteUserAsync("never-stored"));

        Assert.Null(await Store.GetAsync("limaml", "gone"));
        Assert.Null(await Store.GetAsync("mpp", "gone"));
        Assert.NotNull(await Store.GetAsync("limaml", "kept"));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteUserAsync("../escape"));
        // A later state is a new one: the old watermark does not hold it back.
        Assert.True(await Store.TryWriteAsync(Embedding("gone", 1, 5f)));
    }

    [Fact]
    public async Task An_older_or_equal_watermark_never_overwrites_a_newer_one()
    {
        await Store.TryWriteAsync(Embedding("u-2", 10, 1f));

        Assert.False(await Store.TryWriteAsync(Embedding("u-2", 9, 2f)));
        Assert.False(await Store.TryWriteAsync(Embedding("u-2", 10, 3f)));
        Assert.True(await Store.TryWriteAsync(Embedding("u-2", 11, 4f)));

        var read = await Store.GetAsync("limaml", "u-2");
        Assert.Equal((11L, 4f), (read!.Watermark, read.Values[0]));
    }

    [Fact]
    public async Task Concurrent_writers_leave_the_newest_watermark()
    {
        var writes = Enumerable.Range(1, 12).Select(w => Task.Run(() => Store.TryWriteAsync(Embedding("u-3", w, w))));
        await Task.WhenAll(writes);

        var read = await Store.GetAsync("limaml", "u-3");
        Assert.Equal((12L, 12f), (read!.Watermark, read.Values[0]));
    }

    [Fact]
    public async Task Batched_reads_return_the_users_that_have_state()
    {
        await Store.TryWriteAsync(Embedding("a", 1, 1f));
        await Store.TryWriteAsync(Embedding("b", 1, 2f));

        var found = await Store.GetManyAsync("limaml", ["a", "b", "c", "a"]);

        Assert.Equal(["a", "b"], found.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2f, found["b"].Values[0]);
    }

    [Fact]
    public async Task A_large_adaptive_state_round_trips()
    {
        var large = Embedding("big", 1, 0f, size: 70_018) with { Values = [.. Enumerable.Range(0, 70_018).Select(i => i * 0.5f)] };
        await Store.TryWriteAsync(large);

        var read = await Store.GetAsync("limaml", "big");

        Assert.Equal(large.Values, read!.Values);
    }

    [Theory]
    [InlineData("../other")]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task Bad_user_ids_are_refused(string user)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.TryWriteAsync(Embedding(user, 1, 1f)));
        Assert.Equal("userId", error.ParamName);
    }
}

public sealed class FolderEmbeddingStoreTests : EmbeddingStoreContractTests, IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("metarec-embeddings-");

    public FolderEmbeddingStoreTests() => Store = new FolderEmbeddingStore(_root.FullName);

    protected override IEmbeddingStore Store { get; }

    public void Dispose() => _root.Delete(recursive: true);
}

public sealed class TableEmbeddingStoreTests : EmbeddingStoreContractTests, IClassFixture<AzuriteFixture>
{
    private readonly RequestLog _requests = new();

    public TableEmbeddingStoreTests(AzuriteFixture azurite)
    {
        var options = new TableClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        Store = new TableEmbeddingStore(new TableClient(azurite.ConnectionString, $"emb{Guid.NewGuid():N}", options));
    }

    protected override IEmbeddingStore Store { get; }

    [Fact]
    public async Task The_table_is_created_by_the_first_write_only()
    {
        await Store.TryWriteAsync(new UserEmbedding("u1", "limaml", "v1", [1f], 1, DateTimeOffset.UnixEpoch));
        Assert.Single(_requests.Requests, r => r.EndsWith("/Tables", StringComparison.Ordinal));
        _requests.Clear();

        await Store.TryWriteAsync(new UserEmbedding("u2", "limaml", "v1", [1f], 1, DateTimeOffset.UnixEpoch));
        await Store.TryWriteAsync(new UserEmbedding("u1", "limaml", "v1", [2f], 2, DateTimeOffset.UnixEpoch));

        Assert.DoesNotContain(_requests.Requests, r => r.EndsWith("/Tables", StringComparison.Ordinal));
    }
}

public sealed class CachedEmbeddingStoreTests : EmbeddingStoreContractTests, IDisposable
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("metarec-embeddings-cache-");
    private readonly FakeTimeProvider _time = new();
    private readonly CachedEmbeddingStore _cache;

    public CachedEmbeddingStoreTests() => Store = _cache = new CachedEmbeddingStore(new FolderEmbeddingStore(_root.FullName), capacity: 2, MaxAge, _time);

    protected override IEmbeddingStore Store { get; }

    public void Dispose()
    {
        _cache.Dispose();
        _root.Delete(recursive: true);
    }

    private static UserEmbedding State(string user, long watermark) => new(user, "limaml", "v1", [watermark], watermark, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task The_cache_stays_within_its_capacity()
    {
        foreach (var user in new[] { "x", "y", "z" })
        {
            await Store.TryWriteAsync(State(user, 1));
        }
        await Store.GetManyAsync("limaml", ["x", "y", "z"]);

        Assert.InRange(_cache.Count, 1, 2);
        Assert.Equal(3, (await Store.GetManyAsync("limaml", ["x", "y", "z"])).Count);
    }

    [Fact]
    public async Task Memory_stays_bounded_over_many_users_and_every_read_is_still_answered()
    {
        const int Users = 3_000, Capacity = 100;
        var inner = new FolderEmbeddingStore(_root.FullName);
        using var cache = new CachedEmbeddingStore(inner, Capacity, MaxAge, _time);
        var largest = 0;
        for (var u = 0; u < Users; u++)
        {
            await inner.TryWriteAsync(State($"user-{u}", u + 1));
            Assert.Equal(u + 1, (await cache.GetAsync("limaml", $"user-{u}"))!.Watermark);
            largest = Math.Max(largest, cache.Count);
        }

        Assert.InRange(largest, 1, Capacity);
    }

    [Fact]
    public async Task A_state_another_instance_wrote_is_seen_here_once_the_cached_one_is_max_age_old()
    {
        var shared = new FolderEmbeddingStore(_root.FullName);
        using var hostA = new CachedEmbeddingStore(shared, 10, MaxAge, _time);
        using var hostB = new CachedEmbeddingStore(shared, 10, MaxAge, _time);
        await hostA.TryWriteAsync(State("roamer", 1));
        Assert.Equal(1, (await hostB.GetAsync("limaml", "roamer"))!.Watermark);

        await hostA.TryWriteAsync(State("roamer", 2));
        _time.Advance(MaxAge - TimeSpan.FromMilliseconds(1));
        var beforeBound = await hostB.GetAsync("limaml", "roamer");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var atBound = await hostB.GetAsync("limaml", "roamer");

        Assert.Equal(1, beforeBound!.Watermark); // the bound is real: B served its copy until then
        Assert.Equal(2, atBound!.Watermark);
        Assert.Equal(2, (await hostA.GetAsync("limaml", "roamer"))!.Watermark); // the writer saw its own write at once
    }

    [Fact]
    public void Bad_settings_are_refused_by_name()
    {
        var inner = new FolderEmbeddingStore(_root.FullName);
        Assert.Equal("capacity", Assert.Throws<ArgumentOutOfRangeException>(() => new CachedEmbeddingStore(inner, 0, MaxAge)).ParamName);
        Assert.Equal("maxAge", Assert.Throws<ArgumentOutOfRangeException>(() => new CachedEmbeddingStore(inner, 1, TimeSpan.Zero)).ParamName);
    }
}
