namespace MetaRec.Storage;

/// <summary>
/// An exclusive lock between threads and processes on one machine: a lock file held open with
/// <see cref="FileShare.None"/> (an exclusive flock on Linux). The file is left in place:
/// deleting it on release would let a waiter lock the unlinked file while a newcomer locks a
/// new one, and both would hold "the" lock.
/// </summary>
public static class FileLock
{
    /// <summary>How long <see cref="AcquireAsync"/> waits for a held lock before it gives up.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Opens the lock file exclusively, retrying while another holder has it: after 1 ms, then
    /// twice as long each time up to 50 ms, on <paramref name="time"/> (the system clock by
    /// default), for at most <see cref="Wait"/>.
    /// </summary>
    /// <exception cref="TimeoutException">The lock stayed held for <see cref="Wait"/>; names the file.</exception>
    public static async Task<FileStream> AcquireAsync(string path, CancellationToken cancellation, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var started = time.GetTimestamp();
        var retry = FirstRetry;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException e)
            {
                if (time.GetElapsedTime(started) >= Wait)
                {
                    throw new TimeoutException($"the lock file {path} stayed held by another writer for {Wait.TotalSeconds:F0} s", e);
                }
            }
            await Task.Delay(retry, time, cancellation).ConfigureAwait(false);
            retry = retry * 2 < LongestRetry ? retry * 2 : LongestRetry;
        }
    }

    /// <summary>
    /// Removes a lock file while this process holds it, for user data deletion: the file's name
    /// is the user id. This accepts the hazard above for one writer of that user racing the
    /// deletion (which deletes the data anyway). Where the platform refuses to delete an open
    /// file (Windows) the empty file is left.
    /// </summary>
    public static void DeleteHeld(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Windows: open without sharing; it stays, empty.
        }
    }
}
