using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;

namespace MetaRec.Storage;

/// <summary>
/// The serving instance's caches (user states, result lists): a <see cref="MemoryCache"/> holding
/// at most <c>capacity</c> entries of size 1 (past it the least recently used tenth is compacted
/// away), with expiry measured on <c>time</c>, so caches age on a fake clock in tests.
/// </summary>
public static class BoundedMemoryCache
{
    public static MemoryCache Create(int capacity, TimeProvider time) => new(new MemoryCacheOptions
    {
        SizeLimit = capacity,
        CompactionPercentage = 0.1,
        Clock = new Clock(time),
    });

    private sealed class Clock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
