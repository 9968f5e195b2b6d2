using MetaRec.Storage.Windows;

namespace MetaRec.Storage.Tests;

/// <summary>How users map to buckets, buckets to shards and shards to name prefixes.</summary>
public sealed class UserShardsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(256)]
    [InlineData(1024)]
    public void Every_bucket_belongs_to_exactly_one_shard_and_its_prefixes_cover_just_those(int shards)
    {
        var owner = new int?[UserShards.Buckets];
        for (var shard = 0; shard < shards; shard++)
        {
            var (first, end) = UserShards.BucketsOf(shard, shards);
            var covered = new List<int>();
            foreach (var prefix in UserShards.PrefixesOf(shard, shards))
            {
                covered.AddRange(Enumerable.Range(0, UserShards.Buckets).Where(b => UserShards.BucketName(b).StartsWith(prefix, StringComparison.Ordinal)));
            }
            Assert.Equal(Enumerable.Range(first, end - first), covered);
            foreach (var bucket in covered)
            {
                Assert.Null(owner[bucket]);
                owner[bucket] = shard;
            }
        }
        Assert.All(owner, o => Assert.NotNull(o));
        for (var bucket = 0; bucket < UserShards.Buckets; bucket++)
        {
            var user = Enumerable.Range(0, 100_000).Select(i => $"u{i}").First(u => UserShards.BucketOf(u) == bucket);
            Assert.Equal(owner[bucket], UserShards.ShardOf(user, shards));
        }
    }

    [Fact]
    public void Aligned_shards_take_one_digit_prefixes_and_one_shard_takes_everything()
    {
        Assert.Equal([""], UserShards.PrefixesOf(0, 1));
        Assert.Equal(["4", "5", "6", "7"], UserShards.PrefixesOf(1, 4));
        Assert.Equal(["0", "1", "2", "3", "4", "50", "51", "52", "53", "54", "55"], UserShards.PrefixesOf(0, 3)); // buckets 00-55 (86 of 256)
        Assert.Equal(["03"], UserShards.PrefixesOf(3, 256));
        Assert.Empty(UserShards.PrefixesOf(1, 1024)); // more shards than buckets: some own none
        Assert.Throws<ArgumentOutOfRangeException>(() => UserShards.PrefixesOf(4, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => UserShards.ShardOf("u", 0));
    }

    [Fact]
    public void Buckets_are_stable_and_spread_users_evenly()
    {
        // SHA-256's first byte: fixed by the algorithm, not by this process.
        Assert.Equal(0x6b, UserShards.BucketOf("1"));
        Assert.Equal(0xa2, UserShards.BucketOf("u-1"));

        foreach (var ids in new[] { Enumerable.Range(1, 10_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Enumerable.Range(0, 10_000).Select(i => $"user-{i}") })
        {
            var counts = ids.GroupBy(u => UserShards.ShardOf(u, 4)).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(4, counts.Count);
            Assert.All(counts.Values, c => Assert.InRange(c, 2_300, 2_700)); // 2,500 ± 200: over 4.5 standard deviations
        }
    }
}
