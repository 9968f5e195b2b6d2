using MetaRec.Core.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaRec.Core.MetaLearning;

/// <summary>The MAML building blocks: the masked task loss and the inner loop.</summary>
public static class Maml
{
    /// <summary>
    /// Mean binary cross-entropy per task over its real (unmasked) examples:
    /// (tasks, length) logits -> (tasks). A task with no examples has loss 0.
    /// </summary>
    public static Tensor TaskLosses(Tensor logits, TaskTensors input)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(input);
        var perExample = nn.functional.binary_cross_entropy_with_logits(logits, input.Labels, reduction: nn.Reduction.None);
        return (perExample * input.Mask).sum(1) / input.Mask.sum(1).clamp_min(Scalars.One);
    }

    /// <summary>
    /// Runs <paramref name="steps"/> SGD steps on each task's support loss for the weights named in
    /// <paramref name="adaptive"/>, and returns all weights with the adapted ones replaced.
    /// Adaptive weights may carry a leading task dimension (one copy per task); the loss is the
    /// sum of task losses, so each copy gets its own task's gradient. With
    /// <paramref name="createGraph"/> the steps stay differentiable (second-order MAML);
    /// otherwise inner gradients are constants (first-order MAML, or serving).
    /// </summary>
    /// <exception cref="InvalidOperationException">An adaptive weight received no gradient.</exception>
    public static Dictionary<string, Tensor> InnerLoop(
        IFunctionalModel model,
        TaskTensors support,
        IReadOnlyDictionary<string, Tensor> weights,
        IReadOnlyList<string> adaptive,
        int steps,
        float learningRate,
        bool createGraph)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(adaptive);
        var fast = new Dictionary<string, Tensor>(weights);
        if (steps == 0 || adaptive.Count == 0)
        {
            return fast;
        }
        // Held for the whole loop, never a temporary: see Scalars.
        using var minusRate = (-learningRate).ToScalar();
        var encoderAdapts = adaptive.Any(model.IsEncoderParameter);
        var encoded = encoderAdapts ? null : model.Encode(support, fast);
        for (var step = 0; step < steps; step++)
        {
            var features = encoded ?? model.Encode(support, fast);
            var loss = TaskLosses(model.Decode(features, support, fast), support).sum();
            var inputs = adaptive.Select(name => fast[name]).ToList();
            var grads = autograd.grad([loss], inputs, retain_graph: true, create_graph: createGraph, allow_unused: true);
            for (var i = 0; i < adaptive.Count; i++)
            {
                var grad = grads[i] ?? throw new InvalidOperationException(
                    $"adaptive weight '{adaptive[i]}' received no gradient from the support loss");
                fast[adaptive[i]] = inputs[i].add(createGraph ? grad : grad.detach(), minusRate);
            }
        }
        return fast;
    }
}
