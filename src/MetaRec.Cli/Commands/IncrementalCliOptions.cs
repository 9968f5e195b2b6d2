using System.CommandLine;
using MetaRec.Core.Protocols;

namespace MetaRec.Cli.Commands;

/// <summary>The options of the incremental protocol that <c>incremental</c> and <c>period</c> share, defined once.</summary>
internal sealed class IncrementalCliOptions
{
    private readonly Option<string> _family = new("--family") { Description = "Base model family.", DefaultValueFactory = _ => "asmg" };
    private readonly Option<int> _periods = new("--periods") { Description = "Equal-size periods the time-ordered interactions are cut into.", DefaultValueFactory = _ => 31 };
    private readonly Option<int> _pretrain = new("--pretrain-periods") { Description = "First periods the base model pretrains on.", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _pretrainEpochs = new("--pretrain-epochs") { Description = "Epochs over the pretraining periods.", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _batch = new("--batch-size") { Description = "Interactions per base-model step (each with its negative).", DefaultValueFactory = _ => 512 };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(_family);
        command.Options.Add(_periods);
        command.Options.Add(_pretrain);
        command.Options.Add(_pretrainEpochs);
        command.Options.Add(_batch);
    }

    public string Family(ParseResult result) => result.GetValue(_family)!;

    /// <exception cref="ArgumentException">The batch size is not positive.</exception>
    public int BatchSize(ParseResult result) =>
        result.GetValue(_batch) is > 0 and var batch ? batch : throw new ArgumentException($"--batch-size must be positive, not {result.GetValue(_batch)}");

    /// <summary>The protocol options, validated (the error names the option).</summary>
    public IncrementalOptions Protocol(ParseResult result, int testPeriods, int seed)
    {
        var options = new IncrementalOptions(result.GetValue(_periods), result.GetValue(_pretrain), testPeriods, PretrainEpochs: result.GetValue(_pretrainEpochs), Seed: seed);
        options.Validate();
        return options;
    }
}
