using MetaRec.Core.Evaluation;
using MetaRec.Core.Protocols;
using MetaRec.Core.Training;

namespace MetaRec.Cli.Experiments;

/// <summary>
/// One comparison: which models, on which data and protocol, over which seeds and folds.
/// <c>Folds</c> 0 is one seeded train/validation/test cut per seed; k ≥ 2 is k folds over users
/// per seed (<see cref="ColdStartOptions.Folds"/>).
/// </summary>
internal sealed record ExperimentOptions(
    string DataPath,
    string Protocol,
    IReadOnlyList<string> Models,
    IReadOnlyList<int> Seeds,
    int? FixedSplitSeed,
    ColdStartOptions Split,
    TrainerOptions Trainer,
    IReadOnlyList<string> Settings,
    int Folds = 0)
{
    /// <summary>The pseudo-model for MPP followed by its online stage over the test users.</summary>
    public const string MppOnline = "mpp+online";

    /// <summary>
    /// Support-set sizes at which every model is also tested with each test user's support cut to
    /// its latest n interactions (all of it when shorter): the support-size curve. Empty: none.
    /// </summary>
    public IReadOnlyList<int> SupportSizes { get; init; } = [];
}

/// <summary>
/// One model's test figures on one split (a seed, and a fold in k-fold mode): <c>Fold</c> is the
/// test fold, 0-based, or null in the one-cut mode; <c>Outcomes</c> holds each test user's
/// outcome, for the paired comparisons.
/// </summary>
internal sealed record ModelRun(
    string Model,
    int Seed,
    int? Fold,
    EvaluationResult Test,
    IReadOnlyList<UserOutcome> Outcomes,
    long AdaptiveParameters,
    long TotalParameters,
    int BestEpoch,
    double Seconds)
{
    /// <summary>The selection metric on the validation users at the kept epoch.</summary>
    public double BestValidation { get; init; } = double.NaN;

    /// <summary>The same test users split by activity; null where not computed.</summary>
    public ActivitySplit? ByActivity { get; init; }

    /// <summary>Test metrics with the support cut to each of <see cref="ExperimentOptions.SupportSizes"/>; empty where not computed.</summary>
    public IReadOnlyList<SupportSizePoint> BySupportSize { get; init; } = [];
}

/// <summary>Test metrics of a model when each test user's support is cut to its latest <see cref="Size"/> interactions.</summary>
internal sealed record SupportSizePoint(int Size, double Auc, double Gauc, double NdcgAt5);

/// <summary>Test metrics of users with at most <see cref="MedianSupport"/> support interactions (few) and more (many).</summary>
internal sealed record ActivitySplit(int MedianSupport, int FewUsers, double FewAuc, double FewGauc, int ManyUsers, double ManyAuc, double ManyGauc);
