using MetaRec.Functions.Timers;
using Microsoft.Azure.Functions.Worker;

namespace MetaRec.Functions.Generation;

/// <summary>
/// <c>GenerateServingModel</c> on the Functions host's timer: its schedule is the app setting
/// <c>GenerationSchedule</c> (six-field NCRONTAB, e.g. <c>0 0 3 * * *</c>). The standalone host
/// runs the same <see cref="GenerateServingModelFunction"/> on <c>MetaRec:Generation:Schedule</c>.
/// A failed run throws, so the host logs the invocation as failed (timers are not retried).
/// </summary>
public sealed class GenerateServingModelTimer(GenerateServingModelFunction function, ILogger<GenerateServingModelTimer> log)
{
    /// <summary>The app setting holding the host's schedule.</summary>
    public const string ScheduleSetting = "GenerationSchedule";

    [Function(GenerateServingModelFunction.FunctionName)]
    public async Task Run([TimerTrigger("%" + ScheduleSetting + "%")] Microsoft.Azure.Functions.Worker.TimerInfo timer, CancellationToken cancellation)
    {
        var outcome = await function.RunGuardedAsync(Timers.TimerInfo.From(timer), log, cancellation).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException($"{GenerateServingModelFunction.FunctionName} failed: {outcome.Failure}");
        }
    }
}
