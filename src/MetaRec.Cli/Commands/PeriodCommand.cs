using System.CommandLine;
using MetaRec.Core.Protocols;
using MetaRec.Incremental;
using Spectre.Console;

namespace MetaRec.Cli.Commands;

/// <summary>
/// <c>metarec period</c>: the incremental-update job for one period, against the registry.
/// <c>--period 10</c> (the last pretraining period) pretrains; <c>--period N</c> trains period
/// N from period N−1's checkpoint and registers <c>period-N</c>. Scheduled generation reads
/// these checkpoints.
/// </summary>
internal static class PeriodCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var period = new Option<int>("--period") { Description = "The period to train (from 1); the last pretraining period pretrains.", Required = true };
        var family = new Option<string>("--family") { Description = "Base model family.", DefaultValueFactory = _ => "asmg" };
        var periods = new Option<int>("--periods") { Description = "Equal-size periods the time-ordered interactions are cut into.", DefaultValueFactory = _ => 31 };
        var pretrain = new Option<int>("--pretrain-periods") { Description = "First periods the base model pretrains on.", DefaultValueFactory = _ => 10 };
        var pretrainEpochs = new Option<int>("--pretrain-epochs") { Description = "Epochs over the pretraining periods.", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Seeds the negatives (use the same in generation) and the model.", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch-size") { Description = "Interactions per step (each with its negative).", DefaultValueFactory = _ => 512 };
        var settings = CommonOptions.Settings();
        var storage = new StorageCliOptions();
        var command = new Command("period", "Train one period of an incremental model from the previous period's registered checkpoint.")
        {
            data, period, family, periods, pretrain, pretrainEpochs, seed, batch, settings,
        };
        storage.AddTo(command);
        command.SetAction((result, cancellation) => ModelsCommand.Run(async () =>
        {
            var options = new IncrementalOptions(result.GetValue(periods), result.GetValue(pretrain), TestPeriods: 1, PretrainEpochs: result.GetValue(pretrainEpochs), Seed: result.GetValue(seed));
            options.Validate();
            var catalog = CliHost.Start(threads: 1);
            var baseFamily = catalog.Get(result.GetValue(family)!);
            AnsiConsole.MarkupLine($"reading [bold]{Markup.Escape(result.GetValue(data)!)}[/]");
            var periodData = PeriodData.Read(result.GetValue(data)!, options);
            var job = new PeriodJob(
                new PeriodRegistry(storage.Resolve(result).CreateRegistry()),
                baseFamily,
                CommonOptions.SettingsFor(baseFamily.Name, result.GetValue(settings) ?? []),
                result.GetValue(batch),
                result.GetValue(seed));
            var outcome = await job.RunAsync(periodData, result.GetValue(period), cancellation);
            AnsiConsole.MarkupLine(Markup.Escape(outcome.Summary));
            return 0;
        }));
        return command;
    }
}
