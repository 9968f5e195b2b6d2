using MetaRec.Abstractions;
using MetaRec.Core.Data;

namespace MetaRec.Core.Protocols;

/// <summary>Options of <see cref="IncrementalProtocol"/>; <see cref="Validate"/> names the bad one.</summary>
/// <param name="Periods">Equal-size periods the time-ordered interactions are cut into (paper: 31).</param>
/// <param name="PretrainPeriods">The first periods, trained on for <see cref="PretrainEpochs"/> epochs (paper: 10).</param>
/// <param name="TestPeriods">The last periods, on which results are reported (paper: 7).</param>
/// <param name="History">Past items kept as each example's history (paper: 30).</param>
/// <param name="PretrainEpochs">Epochs over the pretraining periods (paper: 10).</param>
/// <param name="Seed">Seeds the negative sampling.</param>
public sealed record IncrementalOptions(int Periods = 31, int PretrainPeriods = 10, int TestPeriods = 7, int History = 30, int PretrainEpochs = 10, int Seed = 1)
{
    public void Validate()
    {
        if (Periods < 3)
        {
            throw new ArgumentException($"periods must be at least 3, not {Periods}", nameof(Periods));
        }
        if (PretrainPeriods < 1 || TestPeriods < 1 || PretrainPeriods + TestPeriods > Periods)
        {
            throw new ArgumentException($"pretrain periods ({PretrainPeriods}) and test periods ({TestPeriods}) must be at least 1 each and fit in {Periods} periods", nameof(PretrainPeriods));
        }
        if (History < 1)
        {
            throw new ArgumentException($"history must be at least 1, not {History}", nameof(History));
        }
        if (PretrainEpochs < 1)
        {
            throw new ArgumentException($"pretrain epochs must be at least 1, not {PretrainEpochs}", nameof(PretrainEpochs));
        }
    }
}

/// <summary>
/// The data of the incremental protocol: every period as a list of one-positive tasks.
/// </summary>
/// <param name="Catalogue">The dataset's items; one user field, the user id (index + 1; 0 = unknown).</param>
/// <param name="Periods">Per period, a task per interaction, in time order.</param>
/// <param name="Options">The options the split was made with.</param>
public sealed record IncrementalSplit(Catalogue Catalogue, IReadOnlyList<IReadOnlyList<UserTask>> Periods, IncrementalOptions Options)
{
    /// <summary>Index of the first test period.</summary>
    public int FirstTestPeriod => Periods.Count - Options.TestPeriods;
}

/// <summary>
/// The incremental-update protocol of ASMG (Peng et al., RecSys 2021): interactions ordered by
/// time and cut into equal-size periods. Every interaction is a positive; each gets one negative,
/// a random item the user never interacted with (drawn once, so every method sees the same data).
/// An interaction becomes a task: its user (the user id as the only user field), a support set of
/// the user's last <see cref="IncrementalOptions.History"/> earlier items (the history, across
/// periods), and a query of the positive and its negative.
/// </summary>
public static class IncrementalProtocol
{
    public const string Name = "incremental";

    public static IncrementalSplit Split(InteractionDataset dataset, IncrementalOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var ordered = dataset.Interactions
            .Select((interaction, row) => (Interaction: interaction, Row: row))
            .OrderBy(x => x.Interaction.Timestamp)
            .ThenBy(x => x.Row)
            .Select(x => x.Interaction)
            .ToList();
        if (ordered.Count < options.Periods)
        {
            throw new ArgumentException($"{ordered.Count} interactions cannot fill {options.Periods} periods", nameof(dataset));
        }
        var seen = new HashSet<int>[dataset.UserCount];
        foreach (var interaction in ordered)
        {
            (seen[interaction.User] ??= []).Add(interaction.Item);
        }
        var random = new Random(options.Seed);
        var histories = new List<Example>[dataset.UserCount];
        var tasks = new List<UserTask>(ordered.Count);
        foreach (var interaction in ordered)
        {
            var history = histories[interaction.User] ??= [];
            var negative = Negative(random, dataset.ItemCount, seen[interaction.User]);
            tasks.Add(new UserTask(
                dataset.UserIds[interaction.User],
                [interaction.User + 1],
                [.. history],
                [new Example(interaction.Item, 1, interaction.Rating), new Example(negative, 0, 0)]));
            history.Add(new Example(interaction.Item, 1, interaction.Rating));
            if (history.Count > options.History)
            {
                history.RemoveAt(0);
            }
        }
        var periods = new List<IReadOnlyList<UserTask>>(options.Periods);
        for (var p = 0; p < options.Periods; p++)
        {
            var start = (int)((long)tasks.Count * p / options.Periods);
            var end = (int)((long)tasks.Count * (p + 1) / options.Periods);
            periods.Add(tasks.GetRange(start, end - start));
        }
        var catalogue = new Catalogue(new FeatureSchema(dataset.ItemCount, dataset.ItemFeatureCount, [dataset.UserCount + 1]), (float[])dataset.ItemFeatures.Clone());
        return new IncrementalSplit(catalogue, periods, options);
    }

    private static int Negative(Random random, int items, HashSet<int> seen)
    {
        if (seen.Count >= items)
        {
            throw new ArgumentException("a user interacted with every item, so no negative can be drawn");
        }
        while (true)
        {
            var item = random.Next(items);
            if (!seen.Contains(item))
            {
                return item;
            }
        }
    }
}
