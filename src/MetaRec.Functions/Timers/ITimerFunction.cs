namespace MetaRec.Functions.Timers;

/// <summary>
/// A function a timer runs: under the Functions host its <c>[TimerTrigger]</c> wrapper (e.g.
/// <see cref="Generation.GenerateServingModelTimer"/>) calls it on the host's schedule;
/// standalone, the app's <see cref="Standalone.TimerTrigger"/> runs it on <see cref="Timer"/>'s schedule.
/// Register it with <see cref="TimerServiceCollectionExtensions.AddTimerFunction{TFunction}"/>.
/// </summary>
public interface ITimerFunction
{
    /// <summary>The function name (its <c>[Function]</c> name under the host, and in the standalone log).</summary>
    string Name { get; }

    /// <summary>The schedule and <c>RunOnStartup</c>, from the function's own settings section.</summary>
    TimerFunctionOptions Timer { get; }

    /// <summary>
    /// One run. A failure is an outcome with its reason (the invocation answers 500 and the host
    /// logs it; timers are not retried); an exception is treated the same way.
    /// </summary>
    Task<TimerOutcome> RunAsync(TimerInfo timer, CancellationToken cancellation);
}

/// <summary>How a timer run ended: log lines for the host (or the standalone log), and the reason when it failed.</summary>
public sealed record TimerOutcome(bool Succeeded, string? Failure, IReadOnlyList<string> Logs)
{
    public static TimerOutcome Success(params IReadOnlyList<string> logs) => new(true, null, logs);

    public static TimerOutcome Failed(string reason, params IReadOnlyList<string> logs) => new(false, reason, logs);
}

/// <summary>Running a timer function the same way under either trigger.</summary>
public static partial class TimerFunctionExtensions
{
    /// <summary>
    /// <see cref="ITimerFunction.RunAsync"/>, with an exception (other than the caller's
    /// cancellation) logged and turned into a failed outcome naming it.
    /// </summary>
    public static async Task<TimerOutcome> RunGuardedAsync(this ITimerFunction function, TimerInfo timer, ILogger log, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(function);
        try
        {
            return await function.RunAsync(timer, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            LogThrew(log, e, function.Name);
            return TimerOutcome.Failed($"{e.GetType().Name}: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "timer {Function} threw")]
    private static partial void LogThrew(ILogger logger, Exception error, string function);
}
