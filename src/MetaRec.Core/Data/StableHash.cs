using System.Text;

namespace MetaRec.Core.Data;

/// <summary>A hash of ids that is the same in every process and on every machine (unlike <see cref="string.GetHashCode()"/>).</summary>
public static class StableHash
{
    /// <summary>32-bit FNV-1a over the UTF-8 bytes of <paramref name="id"/>.</summary>
    public static uint Fnv1a(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(id))
        {
            hash = (hash ^ b) * 16777619u;
        }
        return hash;
    }

    /// <summary>The bucket of <paramref name="id"/> among <paramref name="buckets"/>: FNV-1a mod buckets.</summary>
    public static int Bucket(string id, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        return (int)(Fnv1a(id) % (uint)buckets);
    }
}
