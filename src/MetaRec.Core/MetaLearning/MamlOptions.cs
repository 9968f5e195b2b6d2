namespace MetaRec.Core.MetaLearning;

/// <summary>Hyperparameters of MAML's inner and outer loops.</summary>
public sealed record MamlOptions
{
    /// <summary>Gradient steps on the support set per adaptation. Default 1.</summary>
    public int InnerSteps { get; init; } = 1;

    /// <summary>Inner-loop SGD learning rate. Default 0.1.</summary>
    public float InnerLearningRate { get; init; } = 0.1f;

    /// <summary>First-order MAML: inner gradients are treated as constants. Default false (second order).</summary>
    public bool FirstOrder { get; init; }

    /// <summary>Adam learning rate of the offline outer loop. Default 1e-3.</summary>
    public float OuterLearningRate { get; init; } = 1e-3f;

    /// <summary>Adam learning rate of the online stage (adaptive initialisation only). Default 1e-3.</summary>
    public float OnlineLearningRate { get; init; } = 1e-3f;

    /// <summary>L2 weight decay of the outer Adam. Default 0.</summary>
    public float WeightDecay { get; init; }

    /// <summary>
    /// Weight of the support loss at the meta-initialisation, added to the offline outer loss.
    /// The outer loss alone trains the shared (fixed) parameters on query examples only, a
    /// fraction of each user's data; this term lets them learn from the support examples too.
    /// Default 0 (plain MAML).
    /// </summary>
    public float SupportLossWeight { get; init; }

    public void Validate()
    {
        if (InnerSteps < 0)
        {
            throw new ArgumentException($"{nameof(InnerSteps)} must be >= 0, not {InnerSteps}");
        }
        if (!(SupportLossWeight >= 0) || float.IsInfinity(SupportLossWeight))
        {
            throw new ArgumentException($"{nameof(SupportLossWeight)} must be finite and >= 0, not {SupportLossWeight}");
        }
        if (!(InnerLearningRate >= 0) || !(OuterLearningRate > 0) || !(OnlineLearningRate > 0) || !(WeightDecay >= 0))
        {
            throw new ArgumentException(
                $"learning rates must be positive and weight decay >= 0 ({nameof(InnerLearningRate)}={InnerLearningRate}, " +
                $"{nameof(OuterLearningRate)}={OuterLearningRate}, {nameof(OnlineLearningRate)}={OnlineLearningRate}, {nameof(WeightDecay)}={WeightDecay})");
        }
    }
}
