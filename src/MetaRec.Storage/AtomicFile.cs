namespace MetaRec.Storage;

/// <summary>
/// Replacing a file all at once: the content goes to a uniquely named temporary file beside it
/// (<c>{path}.{guid}.partial</c>), which is then renamed over it, so a reader, a concurrent writer
/// or a crash sees the old file or the new one, never half of one. A write that fails removes
/// its temporary file.
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
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + $".{Guid.NewGuid():N}.partial";
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
}
