using System.CommandLine;
using MetaRec.Cli.Experiments;
using MetaRec.Core.Tensors;
using Spectre.Console;

namespace MetaRec.Cli.Commands;

/// <summary><c>metarec evaluate</c>: the cold-start (or warm) comparison of several models over seeds.</summary>
internal static class EvaluateCommand
{
    public const string DefaultModels = "pooled,pooled-finetune,melu,mpp,mpp+online,limaml,wide-deep";

    public static Command Create()
    {
        var data = CommonOptions.Data();
        var models = new Option<string>("--models") { Description = $"Comma-separated models; mpp+online adds MPP's online stage. Default: {DefaultModels}.", DefaultValueFactory = _ => DefaultModels };
        var seeds = new Option<string>("--seeds") { Description = "Seeds, e.g. 1-5 or 1,2,3: each seeds the user split and the model.", DefaultValueFactory = _ => "1" };
        var splitSeed = new Option<int?>("--split-seed") { Description = "Keep one user split for every seed (seeds then vary only the models)." };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path." };
        var training = new TrainingOptions();
        var command = new Command("evaluate", "Train and test models on a dataset under the cold-start protocol; print mean ± std over seeds.")
        {
            data, models, seeds, splitSeed, json,
        };
        training.AddTo(command);
        command.SetAction((result, cancellation) => Task.FromResult(CliHost.Guard(() =>
        {
            var options = new ExperimentOptions(
                result.GetValue(data)!,
                training.Protocol(result),
                [.. result.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                CommonOptions.ParseSeeds(result.GetValue(seeds)!),
                result.GetValue(splitSeed),
                training.Split(result, seed: 1),
                training.Trainer(result, seed: 1),
                training.Settings(result));
            var runs = Run(options, training.Threads(result), cancellation, training.Backend(result));
            if (result.GetValue(json) is { } path)
            {
                ResultsReport.WriteJson(path, Path.GetFileName(Path.GetFullPath(options.DataPath).TrimEnd('/')), options, runs);
                AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/]");
            }
            return 0;
        })));
        return command;
    }

    /// <summary>Runs the experiment with progress and prints the table; shared with <c>demo</c>.</summary>
    public static IReadOnlyList<ModelRun> Run(ExperimentOptions options, int threads, CancellationToken cancellation, TorchBackend? backend = null)
    {
        options.Split.Validate();
        options.Trainer.Validate();
        var catalog = CliHost.Start(threads, backend);
        foreach (var model in options.Models.Where(m => m != ExperimentOptions.MppOnline))
        {
            catalog.Get(model); // fail before any work on an unknown name
        }
        var dataset = CliHost.ReadDataset(options.DataPath);
        var runner = new ExperimentRunner(catalog, options);
        runner.Status += line => AnsiConsole.MarkupLine(Markup.Escape(line));
        IReadOnlyList<ModelRun> runs = [];
        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            AnsiConsole.Progress().AutoClear(true).Start(context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                runner.Steps += (model, done, total) =>
                {
                    if (!tasks.TryGetValue(model, out var task))
                    {
                        task = tasks[model] = context.AddTask(model);
                    }
                    task.MaxValue = total;
                    task.Value = done;
                };
                runs = runner.Run(dataset, cancellation);
            });
        }
        else
        {
            runs = runner.Run(dataset, cancellation);
        }
        AnsiConsole.Write(ResultsReport.Table(runs));
        return runs;
    }
}
