using System.CommandLine;
using System.Globalization;
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
        var folds = new Option<int>("--folds")
        {
            Description = "K-fold over users: each seed's qualifying users are cut into k folds and every fold is the test set once (validation users come from the other folds). 0: one seeded 70/10/20 cut per seed.",
            DefaultValueFactory = _ => 0,
        };
        var supportSizes = new Option<string?>("--support-sizes")
        {
            Description = "Also test every model with each test user's support cut to its latest n interactions, for each n, e.g. 1,2,4,8,16: the support-size curve.",
        };
        var splitSeed = new Option<int?>("--split-seed") { Description = "Keep one user split for every seed (seeds then vary only the models)." };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path." };
        var training = new TrainingOptions();
        var command = new Command("evaluate", "Train and test models on a dataset under the cold-start protocol; print mean ± std over seeds.")
        {
            data, models, seeds, folds, supportSizes, splitSeed, json,
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
                training.Settings(result),
                result.GetValue(folds))
            {
                SupportSizes = ParseSupportSizes(result.GetValue(supportSizes)),
            };
            var (runs, comparisons) = Run(options, training.Threads(result), cancellation, training.Backend(result));
            if (result.GetValue(json) is { } path)
            {
                ResultsReport.WriteJson(path, Path.GetFileName(Path.GetFullPath(options.DataPath).TrimEnd('/')), options, runs, comparisons);
                AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/]");
            }
            return 0;
        })));
        return command;
    }

    /// <summary>"1,2,4" as sizes of at least 1; null or empty is none.</summary>
    /// <exception cref="ArgumentException">A size is not a whole number of at least 1, naming --support-sizes.</exception>
    public static int[] ParseSupportSizes(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
            int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size >= 1
                ? size
                : throw new ArgumentException($"--support-sizes: '{part}' is not a whole number of at least 1."))];
    }

    /// <summary>Runs the experiment with progress and prints the tables; shared with <c>demo</c>.</summary>
    public static (IReadOnlyList<ModelRun> Runs, IReadOnlyList<ModelComparison> Comparisons) Run(ExperimentOptions options, int threads, CancellationToken cancellation, TorchBackend? backend = null)
    {
        if (options.Folds is 1 or < 0)
        {
            throw new ArgumentException($"--folds is {options.Folds}; it must be 0 (one cut per seed) or at least 2.");
        }
        (options.Split with { Folds = options.Folds }).Validate();
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
        var comparisons = ModelComparisons.Compute(runs);
        if (comparisons.Count > 0)
        {
            AnsiConsole.MarkupLine("Paired differences on the same test users: mean [[95% bootstrap interval]] and win rate; [bold]bold[/] when the interval excludes zero.");
            AnsiConsole.Write(ResultsReport.ComparisonTable(comparisons));
        }
        return (runs, comparisons);
    }
}
