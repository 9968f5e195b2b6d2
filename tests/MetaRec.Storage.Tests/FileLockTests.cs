using Microsoft.Extensions.Time.Testing;

namespace MetaRec.Storage.Tests;

/// <summary>The lock's retry runs on the given clock: these tests move a fake one by hand.</summary>
public sealed class FileLockTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("metarec-lock-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string LockPath => Path.Combine(_folder.FullName, "x.lock");

    [Fact]
    public async Task A_waiter_gets_the_lock_once_the_holder_releases_it()
    {
        var time = new FakeTimeProvider();
        var held = await FileLock.AcquireAsync(LockPath, CancellationToken.None, time);
        var waiter = FileLock.AcquireAsync(LockPath, CancellationToken.None, time);

        await AdvanceAsync(time, TimeSpan.FromSeconds(1), waiter);
        Assert.False(waiter.IsCompleted); // still held: one second of retries did not get it

        await held.DisposeAsync();
        await AdvanceUntilDoneAsync(time, waiter);
        Assert.True(waiter.IsCompletedSuccessfully);
        await (await waiter).DisposeAsync();
    }

    [Fact]
    public async Task A_lock_held_past_the_wait_fails_with_a_timeout_naming_the_file()
    {
        var time = new FakeTimeProvider();
        await using var held = await FileLock.AcquireAsync(LockPath, CancellationToken.None, time);
        var waiter = FileLock.AcquireAsync(LockPath, CancellationToken.None, time);

        var waited = await AdvanceUntilDoneAsync(time, waiter);

        Assert.True(waited >= FileLock.Wait, $"gave up after {waited} of fake time"); // never before the wait is over
        var error = await Assert.ThrowsAsync<TimeoutException>(() => waiter);
        Assert.Contains(LockPath, error.Message, StringComparison.Ordinal);
    }

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    /// <summary>Moves the fake clock by <paramref name="span"/> in 50 ms ticks (the longest retry), yielding after each so the waiter's retries run.</summary>
    private static async Task AdvanceAsync(FakeTimeProvider time, TimeSpan span, Task waiter)
    {
        for (var passed = TimeSpan.Zero; passed < span && !waiter.IsCompleted; passed += Tick)
        {
            time.Advance(Tick);
            await Task.Delay(1);
        }
    }

    /// <summary>
    /// Moves the fake clock in 50 ms ticks until the waiter is done (at most 60 s of real time);
    /// returns the fake time that passed (at least what the waiter saw, more when it lagged).
    /// </summary>
    private static async Task<TimeSpan> AdvanceUntilDoneAsync(FakeTimeProvider time, Task waiter)
    {
        var passed = TimeSpan.Zero;
        var real = System.Diagnostics.Stopwatch.StartNew();
        while (!waiter.IsCompleted && real.Elapsed < TimeSpan.FromSeconds(60))
        {
            time.Advance(Tick);
            passed += Tick;
            await Task.WhenAny(waiter, Task.Delay(2));
        }
        return passed;
    }
}
