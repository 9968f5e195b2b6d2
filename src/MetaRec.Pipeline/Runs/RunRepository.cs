using System.Text.Json;
using MetaRec.Storage.Runs;

namespace MetaRec.Pipeline.Runs;

/// <summary>Training runs over an <see cref="IRunStore"/>: JSON documents changed only from the version read.</summary>
public sealed class RunRepository(IRunStore store, TimeProvider time)
{
    public async Task<TrainingRun?> GetAsync(string id, CancellationToken cancellation = default)
    {
        var document = await store.GetAsync(id, cancellation).ConfigureAwait(false);
        return document is null ? null : Decode(document);
    }

    /// <summary>Stores a new run; false when the id is taken.</summary>
    public async Task<bool> CreateAsync(TrainingRun run, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var now = time.GetUtcNow();
        var stored = run with { CreatedUtc = now, UpdatedUtc = now, Revision = 1 };
        return await store.CreateAsync(run.Id, JsonSerializer.SerializeToUtf8Bytes(stored, TrainingRun.Json), cancellation).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Reads the run, applies <paramref name="change"/> and writes it if nobody wrote meanwhile,
    /// retrying from a fresh read otherwise. <paramref name="change"/> returning null writes
    /// nothing. Returns the run as stored afterwards (null when there is no such run).
    /// </summary>
    public async Task<TrainingRun?> UpdateAsync(string id, Func<TrainingRun, TrainingRun?> change, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        while (true)
        {
            var document = await store.GetAsync(id, cancellation).ConfigureAwait(false);
            if (document is null)
            {
                return null;
            }
            var current = Decode(document);
            var changed = change(current);
            if (changed is null)
            {
                return current;
            }
            var now = time.GetUtcNow();
            changed = changed with
            {
                Revision = current.Revision + 1,
                UpdatedUtc = now,
                Steps = [.. changed.Steps.Select(s => s.At == default ? s with { At = now } : s)],
            };
            if (await store.TryReplaceAsync(id, JsonSerializer.SerializeToUtf8Bytes(changed, TrainingRun.Json), document.ETag, cancellation).ConfigureAwait(false) is not null)
            {
                return changed;
            }
        }
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellation = default) => store.ListAsync(cancellation);

    private static TrainingRun Decode(RunDocument document) =>
        JsonSerializer.Deserialize<TrainingRun>(document.Json, TrainingRun.Json)
        ?? throw new InvalidDataException($"run '{document.Id}' is an empty document");
}
