using MetaRec.Plugins.Vq.Network;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Vq.Transfer;

/// <summary>Early stopping: keeps a copy of the network's weights at the best validation figure so far.</summary>
internal sealed class BestWeights(SequenceNetwork network) : IDisposable
{
    private Tensor[]? _copy;

    public double Best { get; private set; } = double.NegativeInfinity;

    /// <summary>Validations since the best one.</summary>
    public int Stale { get; private set; }

    /// <summary>Records <paramref name="value"/> (higher is better); copies the weights when it is a new best.</summary>
    public bool Offer(double value)
    {
        if (!(value > Best))
        {
            Stale++;
            return false;
        }
        Best = value;
        Stale = 0;
        Release();
        using var noGrad = no_grad();
        _copy = [.. network.NamedParameters.Select(p => p.Parameter.detach().clone().DetachFromDisposeScope())];
        return true;
    }

    /// <summary>Puts the best weights back (nothing when none was offered).</summary>
    public void Restore()
    {
        if (_copy is null)
        {
            return;
        }
        using var noGrad = no_grad();
        var parameters = network.NamedParameters;
        for (var i = 0; i < parameters.Count; i++)
        {
            parameters[i].Parameter.copy_(_copy[i]);
        }
    }

    public void Dispose() => Release();

    private void Release()
    {
        foreach (var tensor in _copy ?? [])
        {
            tensor.Dispose();
        }
        _copy = null;
    }
}
