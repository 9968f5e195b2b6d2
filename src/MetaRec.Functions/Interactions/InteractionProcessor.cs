using MetaRec.Abstractions;
using MetaRec.Functions.Serving;
using MetaRec.Storage.Embeddings;
using MetaRec.Storage.Interactions;
using MetaRec.Storage.Windows;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Interactions;

/// <summary>What one batch of events did.</summary>
public sealed record ProcessResult(int Events, int Duplicates, int Users, int Refreshed, int Deferred, int Unchanged);

/// <summary>
/// Applies valid events: appends them to the interaction log, merges each user's into the
/// user's recent window (events already there are duplicates), and refreshes the user's state
/// with the active model, at most once per user per batch and per refresh interval. Every step
/// is idempotent: a re-delivered batch appends duplicates the log drops on read, leaves the
/// windows unchanged and rewrites no state. It is the states' writer, so it reads them raw (any
/// version: a refresh compares the stored watermark and version with the window's), not through
/// <see cref="Serving.UserStates"/>, the scoring side's filter.
/// </summary>
public sealed partial class InteractionProcessor(
    IInteractionLog log,
    IUserWindowStore windows,
    IEmbeddingStore states,
    ActiveModelProvider models,
    ModelGate gate,
    RefreshScheduler scheduler,
    IOptions<FunctionAppOptions> options,
    TimeProvider time,
    ILogger<InteractionProcessor> logger)
{
    private const int MaxConflicts = 20;
    private const int UserParallelism = 8;
    private readonly InteractionOptions _settings = options.Value.Interactions;

    public async Task<ProcessResult> ProcessAsync(IReadOnlyList<InteractionEvent> events, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(events);
        var distinct = events.DistinctBy(e => e.EventId).ToList();
        if (distinct.Count == 0)
        {
            return new ProcessResult(0, 0, 0, 0, 0, 0);
        }
        await log.AppendAsync(distinct, cancellation).ConfigureAwait(false);
        var duplicates = events.Count - distinct.Count;
        var outcomes = new int[Enum.GetValues<RefreshOutcome>().Length];
        var users = distinct.GroupBy(e => e.UserId, StringComparer.Ordinal).ToList();
        // Users are independent: their storage round trips overlap; model calls still pass the gate.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = UserParallelism, CancellationToken = cancellation };
        await Parallel.ForEachAsync(users, parallel, async (user, token) =>
        {
            var (window, added) = await MergeAsync(user.Key, user, token).ConfigureAwait(false);
            Interlocked.Add(ref duplicates, user.Count() - added);
            var outcome = await scheduler.RequestAsync(user.Key, RefreshAsync, token).ConfigureAwait(false);
            Interlocked.Increment(ref outcomes[(int)outcome]);
            LogUser(logger, user.Key, added, window.Applied);
        }).ConfigureAwait(false);
        return new ProcessResult(distinct.Count, duplicates, users.Count,
            outcomes[(int)RefreshOutcome.Refreshed], outcomes[(int)RefreshOutcome.Deferred], outcomes[(int)RefreshOutcome.Unchanged]);
    }

    /// <summary>
    /// Re-adapts <paramref name="userId"/> on the stored window with the active model and writes
    /// the state with the window's watermark. Returns false when there was nothing to do (the
    /// stored state already has this window and version) or no model is loaded.
    /// </summary>
    public async Task<bool> RefreshAsync(string userId, CancellationToken cancellation)
    {
        if (!models.TryAcquire(out var lease))
        {
            LogNoModel(logger, userId);
            return false;
        }
        using (lease)
        using (await scheduler.LockAsync(userId, cancellation).ConfigureAwait(false))
        {
            var model = lease.Model;
            for (var attempt = 0; ; attempt++)
            {
                var window = await windows.GetAsync(userId, cancellation).ConfigureAwait(false);
                if (window.ETag is null)
                {
                    // No stored window (the user's data was deleted, say): nothing to adapt on, and no state to write.
                    LogNoWindow(logger, userId);
                    return false;
                }
                var stored = await states.GetAsync(model.Manifest.Family, userId, cancellation).ConfigureAwait(false);
                if (stored is not null && stored.Watermark == window.Applied && stored.ModelVersion == model.Version && stored.Values.Length == model.StateSize)
                {
                    return false;
                }
                if (stored is not null && stored.Watermark >= window.Applied)
                {
                    // Same window, other model version: the state must change, so the watermark must
                    // move; bump the window (an empty change) and write with the new count.
                    var bumped = await windows.TryReplaceAsync(window with { Applied = stored.Watermark + 1 }, cancellation).ConfigureAwait(false);
                    if (bumped is null)
                    {
                        Conflict(attempt, userId);
                        continue;
                    }
                    window = bumped;
                }
                var support = Support(model, window);
                var state = await gate.RunAsync(() => model.Model.Adapt(new UserTask(userId, model.ColdUserFields, support, [])), cancellation).ConfigureAwait(false);
                var written = await states.TryWriteAsync(
                    new UserEmbedding(userId, model.Manifest.Family, model.Version, state.Values, window.Applied, time.GetUtcNow()), cancellation).ConfigureAwait(false);
                LogRefreshed(logger, userId, model.Version, support.Count, window.Applied, written);
                return written;
            }
        }
    }

    private async Task<(UserWindow Window, int Added)> MergeAsync(string userId, IEnumerable<InteractionEvent> events, CancellationToken cancellation)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await windows.GetAsync(userId, cancellation).ConfigureAwait(false);
            var (merged, added) = current.Merge(events, _settings.WindowSize);
            if (added == 0)
            {
                return (current, 0);
            }
            if (await windows.TryReplaceAsync(merged, cancellation).ConfigureAwait(false) is { } stored)
            {
                return (stored, added);
            }
            Conflict(attempt, userId);
        }
    }

    private List<Example> Support(ServedModel model, UserWindow window)
    {
        var support = new List<Example>(window.Events.Count);
        foreach (var e in window.Events)
        {
            if (model.TryGetItem(e.ItemId, out var row))
            {
                support.Add(new Example(row, e.Rating >= _settings.PositiveRating ? 1f : 0f, e.Rating));
            }
        }
        if (support.Count < window.Events.Count)
        {
            LogUnknownItems(logger, window.UserId, window.Events.Count - support.Count, model.Version);
        }
        return support;
    }

    private static void Conflict(int attempt, string userId)
    {
        if (attempt >= MaxConflicts)
        {
            throw new InvalidOperationException($"user {userId}: the window kept changing under {MaxConflicts} attempts; the message will be retried");
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "user {UserId}: {Added} new event(s), window version {Applied}")]
    private static partial void LogUser(ILogger logger, string userId, int added, long applied);

    [LoggerMessage(Level = LogLevel.Debug, Message = "user {UserId}: no stored window; nothing to refresh")]
    private static partial void LogNoWindow(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "user {UserId}: no model loaded yet; the state is refreshed with the next event")]
    private static partial void LogNoModel(ILogger logger, string userId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "user {UserId}: refreshed with {Version} on {Support} interaction(s), watermark {Watermark}, written {Written}")]
    private static partial void LogRefreshed(ILogger logger, string userId, string version, int support, long watermark, bool written);

    [LoggerMessage(Level = LogLevel.Information, Message = "user {UserId}: {Count} interaction(s) with items model {Version} does not know are left out of the refresh")]
    private static partial void LogUnknownItems(ILogger logger, string userId, int count, string version);
}
