using MetaRec.Core.Protocols;
using MetaRec.Core.Training;

namespace MetaRec.Cli.Experiments;

/// <summary>One comparison: which models, on which data and protocol, over which seeds.</summary>
internal sealed record ExperimentOptions(
    string DataPath,
    string Protocol,
    IReadOnlyList<string> Models,
    IReadOnlyList<int> Seeds,
    int? FixedSplitSeed,
    ColdStartOptions Split,
    TrainerOptions Trainer,
    IReadOnlyList<string> Settings)
{
    /// <summary>The pseudo-model for MPP followed by its online stage over the test users.</summary>
    public const string MppOnline = "mpp+online";
}

/// <summary>One model's test figures on one seed.</summary>
internal sealed record ModelRun(
    string Model,
    int Seed,
    double Auc,
    double Gauc,
    double LogLoss,
    double NdcgAt10,
    double HrAt10,
    double? Mae,
    long AdaptiveParameters,
    long TotalParameters,
    int BestEpoch,
    double Seconds)
{
    /// <summary>The same test users split by activity; null where not computed.</summary>
    public ActivitySplit? ByActivity { get; init; }
}

/// <summary>Test metrics of users with at most <see cref="MedianSupport"/> support interactions (few) and more (many).</summary>
internal sealed record ActivitySplit(int MedianSupport, int FewUsers, double FewAuc, double FewGauc, int ManyUsers, double ManyAuc, double ManyGauc);
