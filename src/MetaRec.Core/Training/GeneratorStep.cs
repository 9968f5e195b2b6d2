using MetaRec.Abstractions;

namespace MetaRec.Core.Training;

/// <summary>
/// The train half of a model generator's test-then-train, indexed one way for the incremental
/// experiment (<see cref="IncrementalTraining"/>) and for scheduled generation alike: once period
/// p is known, the generator reads the models trained through periods p−k … p−1 (oldest first)
/// and learns from the period after each, p−k+1 … p. Periods count in whatever
/// the data function takes.
/// </summary>
public static class GeneratorStep
{
    /// <summary>Trains <paramref name="generator"/> on <paramref name="window"/> against the periods up to <paramref name="period"/>; returns the loss.</summary>
    public static float Train(IModelGenerator generator, IReadOnlyList<IRecModel> window, int period, Func<int, IReadOnlyList<UserTask>> data)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(data);
        var k = generator.Info.Window;
        if (window.Count != k)
        {
            throw new ArgumentException($"generator '{generator.Info.Name}' reads {k} models; {window.Count} given", nameof(window));
        }
        return generator.Train(window, [.. Enumerable.Range(period - k + 1, k).Select(data)]);
    }
}
