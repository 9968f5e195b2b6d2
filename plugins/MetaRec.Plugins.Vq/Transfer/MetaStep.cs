using TorchSharp;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Vq.Transfer;

/// <summary>Which way a source's similarity to the target counts.</summary>
internal enum SimilaritySign
{
    /// <summary>
    /// s = cos(τ, −g): a source whose inner step τ = φ − θ points down the target loss (against
    /// the target gradient g at φ) is similar and weighs more. The default.
    /// </summary>
    Aligned,

    /// <summary>
    /// s = cos(τ, g), MetaAdapt's formula as written. With τ = −α∇L_src a high value means the
    /// source step goes up the target loss, so this weighs such sources more.
    /// </summary>
    Raw,
}

/// <summary>How a meta step weighs its sources.</summary>
internal enum SourceWeighting
{
    /// <summary>w = softmax(s / T) over the sources' similarities.</summary>
    Rescaled,

    /// <summary>w = 1 / sources.</summary>
    Uniform,
}

/// <summary>Inner loop and weighting of a meta step.</summary>
internal sealed record MetaOptions(int InnerSteps, float InnerLearningRate, bool FirstOrder, double Temperature, SimilaritySign Sign, SourceWeighting Weighting);

/// <summary>
/// One source of a meta step: its own parameters (adapted in the inner loop with the shared ones,
/// e.g. its item table) and its training loss as a function of fast shared and own weights.
/// </summary>
internal sealed record MetaSource(IReadOnlyList<Tensor> Own, Func<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>, Tensor> Loss);

/// <summary>
/// What a meta step found, as tensors of the caller's dispose scope.
/// </summary>
/// <param name="MetaGradient">Σ wᵢ gᵢ, one tensor per shared parameter.</param>
/// <param name="SourceGradient">Σ wᵢ ∇θ L_srcᵢ(θ) at the start of the inner loop, one tensor per shared parameter.</param>
/// <param name="OwnGradients">Per source, the gradient of its loss in its own parameters at the start of the inner loop.</param>
/// <param name="Similarities">sᵢ per source.</param>
/// <param name="Weights">wᵢ per source; they sum to 1.</param>
/// <param name="TargetLosses">The target loss at each φᵢ.</param>
internal sealed record MetaStepResult(
    Tensor[] MetaGradient,
    Tensor[] SourceGradient,
    Tensor[][] OwnGradients,
    double[] Similarities,
    double[] Weights,
    double[] TargetLosses);

/// <summary>
/// MetaAdapt's similarity-rescaled meta step. For each source i: from θ, take
/// <see cref="MetaOptions.InnerSteps"/> SGD steps on the source loss (shared and own parameters
/// together), giving φᵢ and the task vector τᵢ = φᵢ − θ (shared part); the meta gradient gᵢ is
/// the gradient of the target loss at φᵢ: in φᵢ (first order) or in θ through the inner steps
/// (second order). sᵢ is the mean over shared parameter tensors of cos(τᵢ, ∓gᵢ) (sign by
/// <see cref="SimilaritySign"/>; tensors where τ or g is zero do not count); w = softmax(s / T)
/// or uniform. The caller applies Σ wᵢ gᵢ to θ.
/// </summary>
internal static class MetaStep
{
    public static MetaStepResult Run(IReadOnlyList<Tensor> shared, IReadOnlyList<MetaSource> sources, Func<IReadOnlyList<Tensor>, Tensor> targetLoss, MetaOptions options)
    {
        ArgumentNullException.ThrowIfNull(shared);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targetLoss);
        ArgumentNullException.ThrowIfNull(options);
        if (sources.Count == 0)
        {
            throw new ArgumentException("a meta step needs at least one source", nameof(sources));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InnerSteps, 1);
        using var rate = ((double)options.InnerLearningRate).ToScalar();
        var gradients = new Tensor[sources.Count][];
        var sourceGradients = new Tensor[sources.Count][];
        var ownGradients = new Tensor[sources.Count][];
        var similarities = new double[sources.Count];
        var targetLosses = new double[sources.Count];
        for (var i = 0; i < sources.Count; i++)
        {
            var source = sources[i];
            IReadOnlyList<Tensor> fastShared = shared;
            IReadOnlyList<Tensor> fastOwn = source.Own;
            for (var step = 0; step < options.InnerSteps; step++)
            {
                var loss = source.Loss(fastShared, fastOwn);
                var grads = Gradients(loss, [.. fastShared, .. fastOwn], createGraph: !options.FirstOrder);
                if (step == 0)
                {
                    sourceGradients[i] = [.. grads.Take(shared.Count).Select(g => g.detach())];
                    ownGradients[i] = [.. grads.Skip(shared.Count).Select(g => g.detach())];
                }
                fastShared = Step(fastShared, grads[..shared.Count], rate, options.FirstOrder);
                fastOwn = Step(fastOwn, grads[shared.Count..], rate, options.FirstOrder);
            }
            var target = targetLoss(fastShared);
            targetLosses[i] = target.detach().to(ScalarType.Float64).item<double>();
            gradients[i] = Gradients(target, options.FirstOrder ? fastShared : shared, createGraph: false);
            var taskVector = fastShared.Zip(shared, (phi, theta) => phi.detach().sub(theta.detach())).ToArray();
            similarities[i] = Similarity(taskVector, gradients[i], options.Sign);
        }
        var weights = options.Weighting == SourceWeighting.Uniform
            ? [.. Enumerable.Repeat(1.0 / sources.Count, sources.Count)]
            : Softmax(similarities, options.Temperature);
        return new MetaStepResult(
            WeightedSum(gradients, weights),
            WeightedSum(sourceGradients, weights),
            ownGradients,
            similarities,
            weights,
            targetLosses);
    }

    /// <summary>
    /// The mean over tensor pairs of cos(τ, −g) (<see cref="SimilaritySign.Aligned"/>) or cos(τ, g)
    /// (<see cref="SimilaritySign.Raw"/>); pairs where either norm is 0 are skipped, and 0 when none is left.
    /// </summary>
    public static double Similarity(IReadOnlyList<Tensor> taskVector, IReadOnlyList<Tensor> gradient, SimilaritySign sign)
    {
        ArgumentNullException.ThrowIfNull(taskVector);
        ArgumentNullException.ThrowIfNull(gradient);
        if (taskVector.Count != gradient.Count)
        {
            throw new ArgumentException($"{taskVector.Count} task-vector tensors but {gradient.Count} gradient tensors", nameof(gradient));
        }
        using var scope = NewDisposeScope();
        double sum = 0;
        var counted = 0;
        for (var t = 0; t < taskVector.Count; t++)
        {
            var tau = taskVector[t].detach().reshape(-1).to(ScalarType.Float64);
            var g = gradient[t].detach().reshape(-1).to(ScalarType.Float64);
            var norms = tau.norm().item<double>() * g.norm().item<double>();
            if (norms == 0 || !double.IsFinite(norms))
            {
                continue;
            }
            sum += tau.dot(g).item<double>() / norms;
            counted++;
        }
        var mean = counted == 0 ? 0 : sum / counted;
        return sign == SimilaritySign.Aligned ? -mean : mean;
    }

    /// <summary>softmax(s / T), computed stably; the weights are positive and sum to 1.</summary>
    public static double[] Softmax(IReadOnlyList<double> similarities, double temperature)
    {
        ArgumentNullException.ThrowIfNull(similarities);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(temperature);
        if (similarities.Count == 0)
        {
            return [];
        }
        var max = similarities.Max();
        var exps = similarities.Select(s => Math.Exp((s - max) / temperature)).ToArray();
        var total = exps.Sum();
        return [.. exps.Select(e => e / total)];
    }

    private static Tensor[] Gradients(Tensor loss, IReadOnlyList<Tensor> inputs, bool createGraph)
    {
        var grads = autograd.grad([loss], [.. inputs], retain_graph: createGraph, create_graph: createGraph, allow_unused: true);
        if (grads.Count != inputs.Count)
        {
            throw new InvalidOperationException($"autograd returned {grads.Count} gradients for {inputs.Count} inputs");
        }
        return [.. grads.Select((g, k) => g is null || g.IsInvalid ? zeros_like(inputs[k]) : g)];
    }

    private static Tensor[] Step(IReadOnlyList<Tensor> weights, Tensor[] grads, Scalar rate, bool firstOrder) =>
        [.. weights.Zip(grads, (w, g) => firstOrder
            ? w.detach().sub(g.detach().mul(rate)).requires_grad_(true)
            : w.sub(g.mul(rate)))];

    private static Tensor[] WeightedSum(Tensor[][] perSource, double[] weights)
    {
        var sum = new Tensor[perSource[0].Length];
        for (var t = 0; t < sum.Length; t++)
        {
            var total = zeros_like(perSource[0][t]);
            for (var i = 0; i < perSource.Length; i++)
            {
                using var weight = weights[i].ToScalar();
                total = total.add(perSource[i][t], weight);
            }
            sum[t] = total;
        }
        return sum;
    }
}
