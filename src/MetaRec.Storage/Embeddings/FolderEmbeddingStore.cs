using System.Text;
using MetaRec.Core.IO;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Embeddings;

/// <summary>
/// Embeddings as files, <c>embeddings/{family}/{userId}.bin</c> (the embedded default). A write
/// takes an exclusive lock on the user's file, compares watermarks, and replaces the file
/// through a rename, so readers never see half a record.
/// </summary>
public sealed class FolderEmbeddingStore(string root, TimeProvider? time = null) : IEmbeddingStore
{
    private readonly string _root = Path.Combine(Path.GetFullPath(root), "embeddings");
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<bool> TryWriteAsync(UserEmbedding embedding, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var path = PathOf(embedding.Family, embedding.UserId);
        StorageNames.Version(embedding.ModelVersion);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
        if (await ReadAsync(path, cancellation).ConfigureAwait(false) is { } stored && stored.Watermark >= embedding.Watermark)
        {
            return false;
        }
        await AtomicFile.ReplaceAsync(path, Encode(embedding with { UpdatedUtc = _time.GetUtcNow() }), cancellation).ConfigureAwait(false);
        return true;
    }

    public Task<UserEmbedding?> GetAsync(string family, string userId, CancellationToken cancellation = default) =>
        ReadAsync(PathOf(family, userId), cancellation);

    public async Task<IReadOnlyDictionary<string, UserEmbedding>> GetManyAsync(string family, IReadOnlyCollection<string> userIds, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        var found = new Dictionary<string, UserEmbedding>(StringComparer.Ordinal);
        foreach (var user in userIds.Distinct(StringComparer.Ordinal))
        {
            if (await GetAsync(family, user, cancellation).ConfigureAwait(false) is { } embedding)
            {
                found[user] = embedding;
            }
        }
        return found;
    }

    public async Task<int> DeleteUserAsync(string userId, CancellationToken cancellation = default)
    {
        var file = StorageNames.UserId(userId) + ".bin";
        if (!Directory.Exists(_root))
        {
            return 0;
        }
        var deleted = 0;
        foreach (var folder in Directory.EnumerateDirectories(_root))
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path))
            {
                continue;
            }
            await using var gate = await FileLock.AcquireAsync(path + ".lock", cancellation).ConfigureAwait(false);
            if (File.Exists(path))
            {
                File.Delete(path);
                deleted++;
            }
            FileLock.DeleteHeld(path + ".lock"); // its name is the user id
        }
        return deleted;
    }

    private string PathOf(string family, string userId) =>
        Path.Combine(_root, StorageNames.Family(family), StorageNames.UserId(userId) + ".bin");

    private static async Task<UserEmbedding?> ReadAsync(string path, CancellationToken cancellation)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        return Decode(await File.ReadAllBytesAsync(path, cancellation).ConfigureAwait(false), path);
    }

    // Layout: watermark (int64), updated (int64 ms), then length-prefixed UTF-8 user, family,
    // version, then the floats.
    private static byte[] Encode(UserEmbedding e)
    {
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer, Encoding.UTF8);
        writer.Write(e.Watermark);
        writer.Write(e.UpdatedUtc.ToUnixTimeMilliseconds());
        writer.Write(e.UserId);
        writer.Write(e.Family);
        writer.Write(e.ModelVersion);
        writer.Write(EmbeddingCodec.ToBytes(e.Values));
        writer.Flush();
        return buffer.ToArray();
    }

    private static UserEmbedding Decode(byte[] bytes, string path)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
            var watermark = reader.ReadInt64();
            var updated = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
            var user = reader.ReadString();
            var family = reader.ReadString();
            var version = reader.ReadString();
            var offset = (int)reader.BaseStream.Position;
            return new UserEmbedding(user, family, version, EmbeddingCodec.FromBytes(bytes.AsSpan(offset)), watermark, updated);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"embedding file '{path}' is truncated", e);
        }
    }
}
