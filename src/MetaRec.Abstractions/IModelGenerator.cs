namespace MetaRec.Abstractions;

/// <summary>
/// A kind of model generator a plugin provides ("asmg-gru", "asmg-linear"): it reads the models
/// of the last periods of one base family and generates the next period's serving model.
/// </summary>
public interface IGeneratorFamily
{
    /// <summary>Lower-case name used in configuration, manifests and the CLI.</summary>
    string Name { get; }

    /// <summary>One line for listings.</summary>
    string Description { get; }

    /// <summary>The model family whose models this generator reads and writes.</summary>
    string BaseFamily { get; }

    /// <summary>
    /// A new, untrained generator for models shaped like <paramref name="template"/> (a model of
    /// <see cref="BaseFamily"/>). <paramref name="settings"/> overrides the documented defaults;
    /// an unknown key or a bad value throws <see cref="ArgumentException"/> naming it.
    /// </summary>
    IModelGenerator Create(IRecModel template, IReadOnlyDictionary<string, string> settings, int seed);

    /// <summary>Loads a generator written by <see cref="IModelGenerator.Save"/>, with its carried state.</summary>
    IModelGenerator Load(Stream checkpoint);
}

/// <summary>
/// A meta model-generator over a sequence of period models, used test-then-train: at each new
/// period, <see cref="Generate"/> the serving model from the last <see cref="GeneratorInfo.Window"/>
/// models, evaluate it on the new period, then <see cref="Train"/> on that period, which also
/// moves the generator's carried state one period on. Not thread-safe.
/// </summary>
public interface IModelGenerator : IDisposable
{
    GeneratorInfo Info { get; }

    /// <summary>
    /// The serving model for the period after the last of <paramref name="models"/> (exactly
    /// <see cref="GeneratorInfo.Window"/> models of the base family, oldest first). Changes nothing.
    /// </summary>
    IRecModel Generate(IReadOnlyList<IRecModel> models);

    /// <summary>
    /// Learns from how the generated models score: <paramref name="periodsAfter"/>[i] is the data
    /// of the period that follows <paramref name="models"/>[i] (so the last one is the period the
    /// last <see cref="Generate"/> was tested on). Then moves the carried state past
    /// <paramref name="models"/>[0]. Returns the mean training loss.
    /// </summary>
    float Train(IReadOnlyList<IRecModel> models, IReadOnlyList<IReadOnlyList<UserTask>> periodsAfter);

    /// <summary>Writes settings, weights and the carried state; <see cref="IGeneratorFamily.Load"/> reads them back.</summary>
    void Save(Stream stream);
}

/// <summary>What a generator is.</summary>
/// <param name="Name">Generator family name.</param>
/// <param name="BaseFamily">The model family it generates.</param>
/// <param name="Window">How many period models it reads (k).</param>
/// <param name="TotalParameters">Trainable scalars of the generator itself.</param>
/// <param name="StateValues">Scalars of the carried state (e.g. the GRU hidden state).</param>
/// <param name="Settings">Every option with its effective value.</param>
public sealed record GeneratorInfo(string Name, string BaseFamily, int Window, long TotalParameters, long StateValues, IReadOnlyDictionary<string, string> Settings);
