using Microsoft.Extensions.Internal;

namespace MetaRec.Storage;

/// <summary>A <see cref="TimeProvider"/> as the clock <c>MemoryCache</c> measures expiry on, so caches age on a fake clock in tests.</summary>
public sealed class TimeProviderClock(TimeProvider time) : ISystemClock
{
    public DateTimeOffset UtcNow => time.GetUtcNow();
}
