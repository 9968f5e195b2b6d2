using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaRec.Core.Optimization;

/// <summary>
/// Adam (Kingma and Ba) with optional L2 weight decay, written over in-place tensor ops whose
/// scalars this class holds for the length of each step. It replaces <c>torch.optim.Adam</c>,
/// whose TorchSharp implementation passes temporary scalars to native code (see
/// <see cref="Tensors.Scalars"/>).
/// </summary>
public sealed class Adam : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _firstMoments;
    private readonly Tensor[] _secondMoments;
    private readonly double _learningRate;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private readonly double _weightDecay;
    private long _steps;

    public Adam(IEnumerable<Parameter> parameters, double learningRate, double weightDecay = 0, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRate);
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        _parameters = [.. parameters];
        _learningRate = learningRate;
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _weightDecay = weightDecay;
        using (no_grad())
        {
            _firstMoments = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
            _secondMoments = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        }
    }

    /// <summary>Clears the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        using var scope = NewDisposeScope();
        foreach (var parameter in _parameters)
        {
            parameter.grad?.zero_();
        }
    }

    /// <summary>One update from the current gradients; parameters without a gradient are skipped.</summary>
    public void Step()
    {
        _steps++;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var correction1 = 1 - Math.Pow(_beta1, _steps);
        var correction2 = 1 - Math.Pow(_beta2, _steps);
        using var beta1 = _beta1.ToScalar();
        using var beta2 = _beta2.ToScalar();
        using var oneMinusBeta1 = (1 - _beta1).ToScalar();
        using var oneMinusBeta2 = (1 - _beta2).ToScalar();
        using var decay = _weightDecay.ToScalar();
        using var epsilon = _epsilon.ToScalar();
        using var rootCorrection2 = (1 / Math.Sqrt(correction2)).ToScalar();
        using var stepSize = (-_learningRate / correction1).ToScalar();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var grad = _parameters[i].grad;
            if (grad is null)
            {
                continue;
            }
            if (_weightDecay > 0)
            {
                grad = grad.add(_parameters[i], decay);
            }
            _firstMoments[i].mul_(beta1).add_(grad, oneMinusBeta1);
            _secondMoments[i].mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            var denominator = _secondMoments[i].sqrt().mul_(rootCorrection2).add_(epsilon);
            _parameters[i].addcdiv_(_firstMoments[i], denominator, stepSize);
        }
    }

    public void Dispose()
    {
        foreach (var tensor in _firstMoments.Concat(_secondMoments))
        {
            tensor.Dispose();
        }
    }
}
