using MetaRec.Core.Protocols;
using MetaRec.Functions.Timers;

namespace MetaRec.Functions.Generation;

/// <summary>
/// Settings of scheduled generation (<c>MetaRec:Generation</c>): the schedule (daily at 03:00 by
/// default), the generator (empty = off), where the periods come from and how they were cut.
/// Data, Periods, PretrainPeriods and Seed must be the ones the period jobs (<c>metarec period</c>)
/// used, so generation scores on the same periods.
/// </summary>
public sealed class GenerationOptions() : TimerFunctionOptions("0 0 3 * * *")
{
    /// <summary>Generator family (e.g. <c>asmg-gru</c>); empty turns generation off.</summary>
    public string Generator { get; set; } = string.Empty;

    /// <summary>Generator settings (key = option name), used when no generator is registered yet.</summary>
    public Dictionary<string, string> GeneratorSettings { get; set; } = [];

    /// <summary>The dataset the periods are cut from.</summary>
    public string Data { get; set; } = string.Empty;

    public int Periods { get; set; } = 31;

    public int PretrainPeriods { get; set; } = 10;

    /// <summary>Seeds the negatives of the periods (the period jobs' <c>--seed</c>) and a new generator.</summary>
    public int Seed { get; set; } = 1;

    public IncrementalOptions Protocol => new(Periods, PretrainPeriods, TestPeriods: 1, Seed: Seed);

    public void Validate()
    {
        if (Generator.Length == 0)
        {
            return;
        }
        if (string.IsNullOrWhiteSpace(Data))
        {
            throw new ArgumentException("MetaRec:Generation:Data must name the dataset the periods are cut from when MetaRec:Generation:Generator is set", nameof(Data));
        }
        try
        {
            Protocol.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"MetaRec:Generation: {e.Message}", nameof(Periods), e);
        }
    }
}
