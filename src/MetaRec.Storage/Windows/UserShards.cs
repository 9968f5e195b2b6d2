using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MetaRec.Storage.Windows;

/// <summary>
/// Which shard a user belongs to, the same on every instance and in both window stores. A
/// user's bucket is the first byte of SHA-256 over the UTF-8 id (0–255, uniform whatever the
/// ids look like); windows are stored under <c>windows/{bucket:x2}/</c>. Shard <c>s</c> of
/// <c>n</c> owns a contiguous run of buckets, <see cref="BucketsOf"/>, so listing a shard reads
/// only its own prefixes. With more than 256 shards some shards own no bucket and list nobody:
/// the refresh then runs at most 256 ways, and every user is still in exactly one shard.
/// </summary>
public static class UserShards
{
    /// <summary>How many buckets users are stored in.</summary>
    public const int Buckets = 256;

    /// <summary>The user's bucket in <c>[0, 256)</c>: the first byte of SHA-256 over the UTF-8 id.</summary>
    public static int BucketOf(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(userId), hash);
        return hash[0];
    }

    /// <summary>The shard in <c>[0, shards)</c> whose listing includes <paramref name="userId"/>.</summary>
    public static int ShardOf(string userId, int shards)
    {
        CheckShards(0, shards);
        return BucketOf(userId) * shards / Buckets;
    }

    /// <summary>
    /// The buckets shard <paramref name="shard"/> of <paramref name="shards"/> owns: <c>[First, End)</c>,
    /// empty for some shards when there are more than 256.
    /// </summary>
    public static (int First, int End) BucketsOf(int shard, int shards)
    {
        CheckShards(shard, shards);
        // Bucket b belongs to floor(b * shards / 256): the first bucket of shard s is ceil(s * 256 / shards).
        static int FirstOf(int s, int n) => (int)((((long)s * Buckets) + n - 1) / n);
        return (FirstOf(shard, shards), FirstOf(shard + 1, shards));
    }

    /// <summary>The folder (and blob prefix) name of a bucket: two lower-case hex digits.</summary>
    public static string BucketName(int bucket)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bucket);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bucket, Buckets);
        return bucket.ToString("x2", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The fewest name prefixes that cover a shard's buckets: one hex digit for each run of 16
    /// aligned buckets (<c>"4"</c> is buckets <c>40</c>–<c>4f</c>), two digits for the rest, and
    /// the empty prefix for all 256. Four shards are four prefixes each.
    /// </summary>
    public static IReadOnlyList<string> PrefixesOf(int shard, int shards)
    {
        var (first, end) = BucketsOf(shard, shards);
        if (first == 0 && end == Buckets)
        {
            return [string.Empty];
        }
        var prefixes = new List<string>();
        var bucket = first;
        while (bucket < end)
        {
            if (bucket % 16 == 0 && bucket + 16 <= end)
            {
                prefixes.Add((bucket / 16).ToString("x", CultureInfo.InvariantCulture));
                bucket += 16;
            }
            else
            {
                prefixes.Add(BucketName(bucket));
                bucket++;
            }
        }
        return prefixes;
    }

    private static void CheckShards(int shard, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shards);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, shards);
    }
}
