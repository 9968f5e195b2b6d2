using MetaRec.Core.Evaluation;

namespace MetaRec.Cli.Benchmarks;

/// <summary>Wall-clock statistics of repeated runs, in milliseconds.</summary>
/// <param name="Samples">Timed repetitions (warm-up runs excluded).</param>
/// <param name="MedianMs">Median.</param>
/// <param name="P95Ms">95th percentile, nearest rank.</param>
/// <param name="MeanMs">Arithmetic mean.</param>
/// <param name="MinMs">Fastest repetition.</param>
internal sealed record TimingSummary(int Samples, double MedianMs, double P95Ms, double MeanMs, double MinMs)
{
    /// <summary>Summarises <paramref name="milliseconds"/> (at least one sample).</summary>
    public static TimingSummary From(IReadOnlyCollection<double> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        if (milliseconds.Count == 0)
        {
            throw new ArgumentException("at least one sample is needed", nameof(milliseconds));
        }
        var sorted = milliseconds.Order().ToArray();
        var median = Statistic.Median(sorted);
        var p95 = sorted[Math.Max(0, (int)Math.Ceiling(0.95 * sorted.Length) - 1)];
        return new TimingSummary(sorted.Length, median, p95, sorted.Average(), sorted[0]);
    }
}

/// <summary>Runs a body after warm-up and times each repetition.</summary>
internal static class Timing
{
    /// <summary>
    /// Calls <paramref name="body"/> <paramref name="warmup"/> times untimed, then
    /// <paramref name="repeats"/> times timed; the argument is the call's running index.
    /// </summary>
    public static TimingSummary Measure(TimeProvider time, int warmup, int repeats, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        for (var i = 0; i < warmup; i++)
        {
            body(i);
        }
        var samples = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var start = time.GetTimestamp();
            body(warmup + i);
            samples[i] = time.GetElapsedTime(start).TotalMilliseconds;
        }
        return TimingSummary.From(samples);
    }
}
