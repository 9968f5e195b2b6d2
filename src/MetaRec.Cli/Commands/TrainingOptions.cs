using System.CommandLine;
using MetaRec.Core.Protocols;
using MetaRec.Core.Tensors;
using MetaRec.Core.Training;

namespace MetaRec.Cli.Commands;

/// <summary>
/// The options that say how data is split and models are trained, shared by <c>train</c> and
/// <c>evaluate</c> so both accept the same flags with the same defaults.
/// </summary>
internal sealed class TrainingOptions
{
    private readonly Option<string> _protocol = CommonOptions.Protocol();
    private readonly Option<int> _epochs = CommonOptions.Epochs();
    private readonly Option<int> _batch = CommonOptions.BatchSize();
    private readonly Option<int> _patience = CommonOptions.Patience();
    private readonly Option<string> _selection = CommonOptions.Selection();
    private readonly Option<int> _minInteractions = CommonOptions.MinInteractions();
    private readonly Option<int> _maxInteractions = CommonOptions.MaxInteractions();
    private readonly Option<float> _threshold = CommonOptions.LabelThreshold();
    private readonly Option<bool> _byArrival = new("--users-by-arrival")
    {
        Description = "Split users by arrival (earliest 70% train, next 10% validation, latest 20% test) instead of at random.",
    };

    private readonly Option<string[]> _settings = CommonOptions.Settings();
    private readonly Option<int> _threads = CommonOptions.Threads();
    private readonly Option<string> _device = new("--device")
    {
        Description = "Where to train: cpu, cuda or cuda:N. CUDA needs a CUDA libtorch (--libtorch).",
        DefaultValueFactory = _ => "cpu",
    };

    private readonly Option<string?> _libtorch = new("--libtorch")
    {
        Description = $"A libtorch folder to load instead of the bundled CPU one (libc10.so, libtorch_cpu.so, libtorch.so, and for CUDA libc10_cuda.so and libtorch_cuda.so), such as a CUDA PyTorch's torch/lib. Default: ${LibTorchVariable} when set.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(LibTorchVariable) is { Length: > 0 } folder ? folder : null,
    };

    /// <summary>The environment variable that names a libtorch folder (the CUDA training image sets it).</summary>
    public const string LibTorchVariable = "METAREC_LIBTORCH";

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _protocol, _epochs, _batch, _patience, _selection, _minInteractions, _maxInteractions, _threshold, _byArrival, _settings, _threads, _device, _libtorch })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The canonical protocol name; throws naming --protocol when it is unknown.</summary>
    public string Protocol(ParseResult result)
    {
        try
        {
            return MetaRec.Core.Protocols.Protocol.Normalize(result.GetValue(_protocol)!);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--protocol: {e.Message}", e);
        }
    }

    public ColdStartOptions Split(ParseResult result, int seed)
    {
        var options = new ColdStartOptions
        {
            MinInteractions = result.GetValue(_minInteractions),
            MaxInteractions = result.GetValue(_maxInteractions),
            LabelThreshold = result.GetValue(_threshold),
            UsersByArrival = result.GetValue(_byArrival),
            Seed = seed,
        };
        options.Validate();
        return options;
    }

    public TrainerOptions Trainer(ParseResult result, int seed)
    {
        var options = new TrainerOptions
        {
            Epochs = result.GetValue(_epochs),
            BatchSize = result.GetValue(_batch),
            Patience = result.GetValue(_patience),
            SelectionMetric = result.GetValue(_selection)!,
            Seed = seed,
        };
        options.Validate();
        return options;
    }

    public IReadOnlyList<string> Settings(ParseResult result) => result.GetValue(_settings) ?? [];

    public int Threads(ParseResult result) => result.GetValue(_threads);

    /// <summary>The libtorch and device to train with; throws naming --device when it is not one.</summary>
    public TorchBackend Backend(ParseResult result)
    {
        var backend = new TorchBackend(result.GetValue(_device)!, result.GetValue(_libtorch));
        try
        {
            backend.ToDevice();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--device: {e.Message}", e);
        }
        return backend;
    }
}
