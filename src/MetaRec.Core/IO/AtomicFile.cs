namespace MetaRec.Core.IO;

/// <summary>
/// Replacing a file all at once: the content goes to a uniquely named temporary file beside it
/// (<c>{path}.{guid}.partial</c>), which is then renamed over it, so a reader, a concurrent writer
/// or a crash sees the old file or the new one, never half of one, and two writers never share
/// a temporary file. A write that fails removes its temporary file and leaves the old one.
/// One copy for the whole repository: MetaRec.Storage compiles this file in (it references no
/// Core), which is why the class is internal.
/// </summary>
internal static class AtomicFile
{
    public static async Task ReplaceAsync(string path, byte[] content, CancellationToken cancellation)
    {
        using var source = new MemoryStream(content, writable: false);
        await ReplaceAsync(path, source, cancellation).ConfigureAwait(false);
    }

    public static async Task ReplaceAsync(string path, Stream content, CancellationToken cancellation)
    {
        var temporary = Temporary(path);
        try
        {
            await using (var file = File.Create(temporary))
            {
                await content.CopyToAsync(file, cancellation).ConfigureAwait(false);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> with <paramref name="content"/> only if there is no such
    /// file yet; returns false (and changes nothing) when there is.
    /// </summary>
    public static async Task<bool> TryCreateAsync(string path, byte[] content, CancellationToken cancellation)
    {
        var temporary = Temporary(path);
        try
        {
            await File.WriteAllBytesAsync(temporary, content, cancellation).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public static void Replace(string path, byte[] content) => Replace(path, temporary =>
    {
        File.WriteAllBytes(temporary, content);
        return true;
    });

    /// <summary>
    /// Replaces <paramref name="path"/> with what <paramref name="write"/> writes to the temporary
    /// path it is given; returns what <paramref name="write"/> returns (say, the hash of the bytes
    /// it wrote, taken before the rename so no other writer can come between).
    /// </summary>
    public static T Replace<T>(string path, Func<string, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var temporary = Temporary(path);
        try
        {
            var result = write(temporary);
            File.Move(temporary, path, overwrite: true);
            return result;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>A temporary name beside <paramref name="path"/>, creating its folder.</summary>
    private static string Temporary(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return path + $".{Guid.NewGuid():N}.partial";
    }
}
