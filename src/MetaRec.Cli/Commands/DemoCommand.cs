using System.CommandLine;
using MetaRec.Cli.Experiments;
using MetaRec.Core.Protocols;
using MetaRec.Core.Training;
using Spectre.Console;

namespace MetaRec.Cli.Commands;

/// <summary>
/// <c>metarec demo</c>: the main job on the embedded default. On the shipped ml-latest-small,
/// cold-start protocol, one seed: trains pooled and MPP, runs MPP's online stage, and prints
/// the comparison.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var threads = CommonOptions.Threads();
        var seed = new Option<int>("--seed") { Description = "Seed of the split and the models.", DefaultValueFactory = _ => 1 };
        var command = new Command("demo", "Cold-start comparison of pooled vs MPP (offline and online) on the shipped ml-latest-small.") { threads, seed };
        command.SetAction((result, cancellation) => Task.FromResult(CliHost.Guard(() =>
        {
            AnsiConsole.MarkupLine("[bold]MetaRec demo[/]: users unseen in training get recommendations from a few interactions.");
            var options = new ExperimentOptions(
                CommonOptions.ShippedDataset,
                ColdStartProtocol.Name,
                ["pooled", "mpp", ExperimentOptions.MppOnline],
                [result.GetValue(seed)],
                null,
                new ColdStartOptions(),
                new TrainerOptions(),
                []);
            var (runs, _) = EvaluateCommand.Run(options, result.GetValue(threads), cancellation);
            var pooled = runs.Single(r => r.Model == "pooled");
            var online = runs.Single(r => r.Model == ExperimentOptions.MppOnline);
            AnsiConsole.MarkupLine(Markup.Escape(
                $"test AUC: pooled {pooled.Test.Auc:F4}, MPP offline {runs.Single(r => r.Model == "mpp").Test.Auc:F4}, MPP offline + online {online.Test.Auc:F4}; " +
                $"MPP stores {online.AdaptiveParameters} floats per user."));
            return 0;
        })));
        return command;
    }
}
