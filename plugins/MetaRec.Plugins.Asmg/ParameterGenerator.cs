using MetaRec.Abstractions;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;
using MetaRec.Core.MetaLearning;
using MetaRec.Core.Tensors;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Adam = MetaRec.Core.Optimization.Adam;

namespace MetaRec.Plugins.Asmg;

/// <summary>
/// What the ASMG generators share: each base-model parameter is seen as a grid of elements
/// (rows × columns: an embedding table is rows × dim, a dense weight or bias is one row of all its
/// elements), generator weights are per column, and training is test-then-train on the periods
/// after the input models. A derived class says how the window's models become outputs.
/// </summary>
internal abstract class ParameterGenerator : nn.Module, IModelGenerator
{
    private const string BasePrefix = "base.";

    private readonly List<(string Name, Parameter Parameter)> _weights = [];
    private readonly Dictionary<string, Tensor> _state = [];
    private Adam? _optimizer;
    private long _steps;

    protected ParameterGenerator(string name, GeneratorSettings settings, AsmgModel template)
        : base(name)
    {
        Settings = settings;
        BaseSettings = template.Settings;
        Catalogue = template.Catalogue;
        Grids = [.. template.NamedParameters.Select(p => new ElementGrid(
            p.Name,
            p.Parameter.shape,
            AsmgModel.IsTable(p.Name) ? p.Parameter.shape[0] : 1,
            AsmgModel.IsTable(p.Name) ? p.Parameter.shape[1] : p.Parameter.numel()))];
    }

    public GeneratorInfo Info => new(
        FamilyName,
        AsmgModel.FamilyName,
        Settings.Window,
        _weights.Sum(w => w.Parameter.numel()),
        _state.Values.Sum(s => s.numel()),
        Settings.Effective);

    public abstract string FamilyName { get; }

    public GeneratorSettings Settings { get; }

    public AsmgSettings BaseSettings { get; }

    public Catalogue Catalogue { get; }

    /// <summary>Every base parameter's element grid, in the base model's order.</summary>
    protected IReadOnlyList<ElementGrid> Grids { get; }

    public IRecModel Generate(IReadOnlyList<IRecModel> models)
    {
        var inputs = Inputs(models);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generated = new AsmgModel(BaseSettings, Catalogue);
        try
        {
            generated.LoadWeights(Outputs(inputs)[^1]);
            return generated;
        }
        catch
        {
            generated.Dispose();
            throw;
        }
    }

    public float Train(IReadOnlyList<IRecModel> models, IReadOnlyList<IReadOnlyList<UserTask>> periodsAfter)
    {
        ArgumentNullException.ThrowIfNull(periodsAfter);
        var inputs = Inputs(models);
        if (periodsAfter.Count != Settings.Window)
        {
            throw new ArgumentException($"training needs the {Settings.Window} periods after the window's models, not {periodsAfter.Count}", nameof(periodsAfter));
        }
        var executor = (AsmgModel)models[^1];
        var lossWeights = Settings.LossWeights();
        _optimizer ??= new Adam(_weights.Select(w => w.Parameter), Settings.LearningRate);
        using var scope = NewDisposeScope();
        // Seeded from the step count and the data, the same in every process (HashCode.Combine is
        // randomised per process, so the shuffle was not reproducible across runs).
        var random = new Random(unchecked((int)((_steps * 1_000_003) + periodsAfter.Sum(p => p.Count))));
        var batches = new List<TaskTensors>?[Settings.Window];
        for (var i = 0; i < Settings.Window; i++)
        {
            if (lossWeights[i] > 0)
            {
                if (periodsAfter[i].Count == 0)
                {
                    throw new ArgumentException($"period {i} after the window is empty", nameof(periodsAfter));
                }
                executor.Catalogue.CheckTasks(periodsAfter[i]);
                var shuffled = periodsAfter[i].OrderBy(_ => random.Next()).ToList();
                batches[i] = [.. shuffled.Chunk(Settings.Batch).Select(chunk => executor.Batch(chunk))];
            }
        }
        var steps = batches.Max(b => b?.Count ?? 0);
        double total = 0;
        var count = 0;
        for (var epoch = 0; epoch < Settings.Epochs; epoch++)
        {
            for (var s = 0; s < steps; s++)
            {
                using var stepScope = NewDisposeScope();
                var outputs = Outputs(inputs);
                Tensor? loss = null;
                for (var i = 0; i < Settings.Window; i++)
                {
                    if (batches[i] is { } periodBatches)
                    {
                        var term = executor.Loss(outputs[outputs.Count - Settings.Window + i], periodBatches[s % periodBatches.Count]) * lossWeights[i];
                        loss = loss is null ? term : loss + term;
                    }
                }
                _optimizer.ZeroGrad();
                loss!.backward();
                _optimizer.Step();
                total += loss.item<float>();
                count++;
                _steps++;
            }
        }
        using (no_grad())
        {
            Advance(inputs[0]);
        }
        return (float)(total / count);
    }

    public void Save(Stream stream)
    {
        var settings = new Dictionary<string, string>(Settings.Effective);
        foreach (var (key, value) in BaseSettings.Effective)
        {
            settings[BasePrefix + key] = value;
        }
        var tensors = ParameterCopy.Export(_weights).Concat(_state.Select(s => new NamedTensor(StateName(s.Key), s.Value.shape, s.Value.ToFloatArray())));
        ModelCheckpoint.Write(stream, new CheckpointContents(FamilyName, settings, Catalogue, [.. tensors]));
    }

    /// <summary>Reads a generator checkpoint back into a generator of the same kind.</summary>
    public static TGenerator Load<TGenerator>(Stream stream, string family, Func<GeneratorSettings, AsmgModel, TGenerator> create)
        where TGenerator : ParameterGenerator
    {
        return ModelCheckpoint.Load(
            stream,
            family,
            contents =>
            {
                var own = contents.Settings.Where(s => !s.Key.StartsWith(BasePrefix, StringComparison.Ordinal)).ToDictionary();
                var baseSettings = contents.Settings.Where(s => s.Key.StartsWith(BasePrefix, StringComparison.Ordinal)).ToDictionary(s => s.Key[BasePrefix.Length..], s => s.Value);
                using var template = new AsmgModel(AsmgSettings.Read(baseSettings), contents.Catalogue);
                return create(GeneratorSettings.Read(own, family == GruGenerator.Family), template);
            },
            (generator, tensors) => generator.Import(tensors));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _optimizer?.Dispose();
            foreach (var state in _state.Values)
            {
                state.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    /// <summary>
    /// Outputs, each a full set of base weights by name: one per window step for a recurrent
    /// generator (step i read models 0..i), or a single one for the last step.
    /// </summary>
    protected abstract IReadOnlyList<Dictionary<string, Tensor>> Outputs(IReadOnlyList<Dictionary<string, Tensor>> inputs);

    /// <summary>Moves the carried state past the window's first model (no gradient).</summary>
    protected abstract void Advance(Dictionary<string, Tensor> first);

    /// <summary>Registers a generator weight for a base parameter, outside any dispose scope.</summary>
    protected Parameter AddWeight(string name, Tensor initial)
    {
        var parameter = new Parameter(initial.detach().contiguous(), requires_grad: true);
        parameter.DetachFromDisposeScope();
        register_parameter(name.Replace('.', '_'), parameter);
        _weights.Add((name, parameter));
        return parameter;
    }

    /// <summary>Carried state by name (kept across windows and checkpoints).</summary>
    protected Tensor GetState(string name) => _state[name];

    protected void SetState(string name, Tensor value)
    {
        var kept = value.detach().contiguous().DetachFromDisposeScope();
        if (_state.Remove(name, out var old))
        {
            old.Dispose();
        }
        _state[name] = kept;
    }

    private static string StateName(string name) => "state:" + name;

    /// <summary>The window's models as base weights by name, detached, each reshaped to its element grid.</summary>
    private List<Dictionary<string, Tensor>> Inputs(IReadOnlyList<IRecModel> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count != Settings.Window)
        {
            throw new ArgumentException($"the generator reads {Settings.Window} period models, not {models.Count}", nameof(models));
        }
        var inputs = new List<Dictionary<string, Tensor>>(models.Count);
        foreach (var model in models)
        {
            if (model is not AsmgModel asmg)
            {
                throw new ArgumentException($"the generator reads '{AsmgModel.FamilyName}' models, not '{model.Info.Family}'", nameof(models));
            }
            var parameters = asmg.NamedParameters;
            if (parameters.Count != Grids.Count || parameters.Zip(Grids).Any(p => p.First.Name != p.Second.Name || !p.First.Parameter.shape.SequenceEqual(p.Second.Shape)))
            {
                throw new ArgumentException("a period model's parameters differ in name or shape from the ones the generator was built for", nameof(models));
            }
            inputs.Add(asmg.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.detach().view(Grid(p.Name).Rows, Grid(p.Name).Columns)));
        }
        return inputs;
    }

    private ElementGrid Grid(string name) => Grids.First(g => g.Name == name);

    private void Import(IReadOnlyList<NamedTensor> tensors)
    {
        var states = tensors.Where(t => t.Name.StartsWith("state:", StringComparison.Ordinal)).ToList();
        ParameterCopy.Import(_weights, [.. tensors.Except(states)]);
        foreach (var state in states)
        {
            SetState(state.Name["state:".Length..], tensor(state.Values, state.Shape));
        }
    }
}

/// <summary>A base parameter seen as a grid: generator weights are per column.</summary>
internal sealed record ElementGrid(string Name, long[] Shape, long Rows, long Columns);
