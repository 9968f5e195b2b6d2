using Azure;
using Azure.Data.Tables;
using MetaRec.Storage.Registry;

namespace MetaRec.Storage.Embeddings;

/// <summary>
/// Embeddings in Azure Table storage (Azurite locally): partition = family, row = user id. The
/// vector is stored as binary properties of at most 64 KiB each (Table's limit per property),
/// so states up to about 900 KiB fit one entity (1 MiB limit). Writes compare watermarks and
/// then add (fails if someone added first) or replace with <c>If-Match</c> on the read ETag,
/// retrying when another writer got in between. The table is created before the first write,
/// once per store instance.
/// </summary>
public sealed class TableEmbeddingStore(TableClient table, TimeProvider? time = null) : IEmbeddingStore
{
    private const int ChunkBytes = 64 * 1024;
    private const int MaxChunks = 14;
    private const int Attempts = 8;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly CreateOnce _created = new(cancellation => table.CreateIfNotExistsAsync(cancellation));

    public async Task<bool> TryWriteAsync(UserEmbedding embedding, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var family = StorageNames.Family(embedding.Family);
        var user = StorageNames.UserId(embedding.UserId);
        StorageNames.Version(embedding.ModelVersion);
        var bytes = EmbeddingCodec.ToBytes(embedding.Values);
        if (bytes.Length > ChunkBytes * MaxChunks)
        {
            throw new ArgumentException($"user state of {bytes.Length} bytes exceeds the {ChunkBytes * MaxChunks} bytes one Table entity can hold", nameof(embedding));
        }
        await _created.EnsureAsync(cancellation).ConfigureAwait(false);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var existing = await ReadEntityAsync(family, user, cancellation).ConfigureAwait(false);
            if (existing is not null && existing.GetInt64("Watermark") >= embedding.Watermark)
            {
                return false;
            }
            var entity = ToEntity(family, user, embedding, bytes);
            try
            {
                if (existing is null)
                {
                    await table.AddEntityAsync(entity, cancellation).ConfigureAwait(false);
                }
                else
                {
                    await table.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, cancellation).ConfigureAwait(false);
                }
                return true;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another writer changed the row since it was read: read it again and compare.
            }
        }
        throw new StateConflictException($"the state of {family}/{user} kept changing under {Attempts} write attempts");
    }

    public async Task<UserEmbedding?> GetAsync(string family, string userId, CancellationToken cancellation = default)
    {
        var entity = await ReadEntityAsync(StorageNames.Family(family), StorageNames.UserId(userId), cancellation).ConfigureAwait(false);
        return entity is null ? null : FromEntity(entity);
    }

    public async Task<IReadOnlyDictionary<string, UserEmbedding>> GetManyAsync(string family, IReadOnlyCollection<string> userIds, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        var found = new Dictionary<string, UserEmbedding>(StringComparer.Ordinal);
        foreach (var chunk in userIds.Distinct(StringComparer.Ordinal).Chunk(32))
        {
            var reads = await Task.WhenAll(chunk.Select(user => GetAsync(family, user, cancellation))).ConfigureAwait(false);
            foreach (var embedding in reads.OfType<UserEmbedding>())
            {
                found[embedding.UserId] = embedding;
            }
        }
        return found;
    }

    public async Task<int> DeleteUserAsync(string userId, CancellationToken cancellation = default)
    {
        var user = StorageNames.UserId(userId);
        var families = new List<string>();
        try
        {
            // Row = user across partitions (families): a scan, acceptable for a rare request.
            var filter = TableClient.CreateQueryFilter($"RowKey eq {user}");
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellation).ConfigureAwait(false))
            {
                families.Add(entity.PartitionKey);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0; // no table yet
        }
        var deleted = 0;
        foreach (var family in families)
        {
            try
            {
                var response = await table.DeleteEntityAsync(family, user, ETag.All, cancellation).ConfigureAwait(false);
                if (response.Status != 404)
                {
                    deleted++;
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // Deleted meanwhile.
            }
        }
        return deleted;
    }

    private async Task<TableEntity?> ReadEntityAsync(string family, string user, CancellationToken cancellation)
    {
        try
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(family, user, cancellationToken: cancellation).ConfigureAwait(false);
            return response.HasValue ? response.Value : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null; // the table itself does not exist yet
        }
    }

    private TableEntity ToEntity(string family, string user, UserEmbedding embedding, byte[] bytes)
    {
        var entity = new TableEntity(family, user)
        {
            ["ModelVersion"] = embedding.ModelVersion,
            ["Watermark"] = embedding.Watermark,
            ["Updated"] = _time.GetUtcNow(),
            ["Bytes"] = bytes.Length,
        };
        for (var chunk = 0; chunk * ChunkBytes < bytes.Length; chunk++)
        {
            entity[$"State{chunk}"] = bytes.AsSpan(chunk * ChunkBytes, Math.Min(ChunkBytes, bytes.Length - (chunk * ChunkBytes))).ToArray();
        }
        return entity;
    }

    private static UserEmbedding FromEntity(TableEntity entity)
    {
        var length = entity.GetInt32("Bytes") ?? 0;
        var bytes = new byte[length];
        for (var chunk = 0; chunk * ChunkBytes < length; chunk++)
        {
            var part = entity.GetBinary($"State{chunk}") ?? throw new InvalidDataException($"embedding {entity.PartitionKey}/{entity.RowKey} lacks chunk {chunk}");
            part.CopyTo(bytes, chunk * ChunkBytes);
        }
        return new UserEmbedding(
            entity.RowKey,
            entity.PartitionKey,
            entity.GetString("ModelVersion") ?? string.Empty,
            EmbeddingCodec.FromBytes(bytes),
            entity.GetInt64("Watermark") ?? 0,
            entity.GetDateTimeOffset("Updated") ?? entity.Timestamp ?? DateTimeOffset.MinValue);
    }
}
