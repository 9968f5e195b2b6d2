using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MetaRec.Core.MetaLearning;

/// <summary>
/// A network whose forward pass takes its weights explicitly (TorchSharp has no
/// <c>functional_call</c>), so MAML can run it on per-task fast weights. The forward is split
/// in two: <see cref="Encode"/> builds input features and <see cref="Decode"/> turns them into
/// logits, so an inner loop that adapts only decoder weights encodes once.
/// </summary>
public interface IFunctionalModel
{
    /// <summary>Every trainable parameter by its checkpoint name, in a fixed order.</summary>
    IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters { get; }

    /// <summary>Whether <paramref name="name"/> is used by <see cref="Encode"/>.</summary>
    bool IsEncoderParameter(string name);

    /// <summary>
    /// (tasks, length, features) inputs of the decoder. Encoder weights have their
    /// parameter's shape (no per-task copies).
    /// </summary>
    Tensor Encode(TaskTensors input, IReadOnlyDictionary<string, Tensor> weights);

    /// <summary>
    /// (tasks, length) logits. A decoder weight has either its parameter's shape (shared by
    /// all tasks) or a leading task dimension (tasks, ...) holding per-task fast weights.
    /// </summary>
    Tensor Decode(Tensor encoded, TaskTensors input, IReadOnlyDictionary<string, Tensor> weights);
}
