using System.CommandLine;
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
        var seed = new Option<int>("--seed") { Description = "Seeds the negatives (use the same in generation) and the model.", DefaultValueFactory = _ => 1 };
        var settings = CommonOptions.Settings();
        var storage = new StorageCliOptions();
        var protocol = new IncrementalCliOptions();
        var command = new Command("period", "Train one period of an incremental model from the previous period's registered checkpoint.")
        {
            data, period, seed, settings,
        };
        protocol.AddTo(command);
        storage.AddTo(command);
        command.SetAction((result, cancellation) => ModelsCommand.Run(async () =>
        {
            var options = protocol.Protocol(result, testPeriods: 1, result.GetValue(seed));
            var batchSize = protocol.BatchSize(result);
            var catalog = CliHost.Start(threads: 1);
            var baseFamily = catalog.Get(protocol.Family(result));
            AnsiConsole.MarkupLine($"reading [bold]{Markup.Escape(result.GetValue(data)!)}[/]");
            var periodData = PeriodData.Read(result.GetValue(data)!, options);
            var job = new PeriodJob(
                new PeriodRegistry(storage.Resolve(result).CreateRegistry()),
                baseFamily,
                CommonOptions.SettingsFor(baseFamily.Name, result.GetValue(settings) ?? []),
                batchSize,
                result.GetValue(seed));
            var outcome = await job.RunAsync(periodData, result.GetValue(period), cancellation);
            AnsiConsole.MarkupLine(Markup.Escape(outcome.Summary));
            return 0;
        }));
        return command;
    }
}
