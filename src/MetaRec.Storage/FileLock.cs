namespace MetaRec.Storage;

/// <summary>
/// An exclusive lock between threads and processes on one machine: a lock file held open with
/// <see cref="FileShare.None"/> (an exclusive flock on Linux). The file is left in place:
/// deleting it on release would let a waiter lock the unlinked file while a newcomer locks a
/// new one, and both would hold "the" lock.
/// </summary>
public static class FileLock
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static async Task<FileStream> AcquireAsync(string path, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(2, cancellation).ConfigureAwait(false);
            }
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
