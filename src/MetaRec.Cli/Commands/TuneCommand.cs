using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using MetaRec.Cli.Experiments;
using MetaRec.Core.Evaluation;
using Spectre.Console;

namespace MetaRec.Cli.Commands;

/// <summary>
/// <c>metarec tune</c>: the same search budget for every family, judged on validation users
/// only. Each configuration trains on every fold of one seed's k-fold split; its score is the
/// selection metric on the validation users, averaged over folds. The test folds are read for
/// the winner and the defaults only, and never choose anything.
/// </summary>
internal static class TuneCommand
{
    public const string DefaultModels = "pooled-finetune,melu,mpp,limaml";

    public static Command Create()
    {
        var data = CommonOptions.Data();
        var models = new Option<string>("--models") { Description = $"Comma-separated families to tune. Default: {DefaultModels}.", DefaultValueFactory = _ => DefaultModels };
        var budget = new Option<int>("--budget") { Description = "Configurations per family, the defaults included. Default 8.", DefaultValueFactory = _ => 8 };
        var folds = new Option<int>("--folds") { Description = "Folds over users (at least 2). Default 5.", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split, the models and the draw of configurations. Default 1.", DefaultValueFactory = _ => 1 };
        var json = new Option<string?>("--json") { Description = "Also write every trial as JSON to this path." };
        var training = new TrainingOptions();
        var command = new Command("tune", "Search each family's settings with the same budget, scored on validation users only; report the winner and the defaults on the test folds.")
        {
            data, models, budget, folds, seed, json,
        };
        training.AddTo(command);
        command.SetAction((result, cancellation) => Task.FromResult(CliHost.Guard(() =>
        {
            var families = result.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var budgetValue = result.GetValue(budget);
            var foldCount = result.GetValue(folds);
            if (budgetValue < 1)
            {
                throw new ArgumentException($"--budget is {budgetValue}; it must be at least 1.");
            }
            if (foldCount < 2)
            {
                throw new ArgumentException($"--folds is {foldCount}; tuning needs at least 2.");
            }
            var seedValue = result.GetValue(seed);
            var catalog = CliHost.Start(training.Threads(result), training.Backend(result));
            foreach (var family in families)
            {
                catalog.Get(family); // fail before any work on an unknown name
            }
            var dataset = CliHost.ReadDataset(result.GetValue(data)!);
            var report = new JsonArray();
            foreach (var family in families)
            {
                var configurations = SearchSpace.Sample(family, budgetValue, seedValue);
                AnsiConsole.MarkupLine(Markup.Escape($"{family}: {configurations.Count} of {SearchSpace.Size(family)} configurations, {foldCount} folds each"));
                var trials = new List<Trial>();
                foreach (var (settings, index) in configurations.Select((s, i) => (s, i)))
                {
                    var options = new ExperimentOptions(
                        result.GetValue(data)!,
                        training.Protocol(result),
                        [family],
                        [seedValue],
                        null,
                        training.Split(result, seed: seedValue),
                        training.Trainer(result, seed: seedValue),
                        [.. training.Settings(result), .. settings.Select(p => $"{family}.{p.Key}={p.Value}")],
                        foldCount);
                    var runner = new ExperimentRunner(catalog, options);
                    var runs = runner.Run(dataset, cancellation);
                    var trial = new Trial(settings, runs);
                    trials.Add(trial);
                    AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"  {index + 1}/{configurations.Count} {SearchSpace.Describe(settings)}: validation {training.Trainer(result, 1).SelectionMetric} {trial.Validation:F4}")));
                }
                var winner = trials.MaxBy(t => t.Validation)!;
                AnsiConsole.Write(Table(family, trials, winner));
                report.Add(Json(family, trials, winner));
            }
            if (result.GetValue(json) is { } path)
            {
                var document = new JsonObject
                {
                    ["dataset"] = Path.GetFileName(Path.GetFullPath(result.GetValue(data)!).TrimEnd('/')),
                    ["budget"] = budgetValue,
                    ["folds"] = foldCount,
                    ["seed"] = seedValue,
                    ["selection"] = training.Trainer(result, 1).SelectionMetric,
                    ["families"] = report,
                };
                ResultsReport.WriteDocument(path, document);
                AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/]");
            }
            return 0;
        })));
        return command;
    }

    /// <summary>One configuration's runs over the folds, and their mean validation score.</summary>
    private sealed record Trial(IReadOnlyDictionary<string, string> Settings, IReadOnlyList<ModelRun> Runs)
    {
        public double Validation { get; } = Runs.Average(r => r.BestValidation);
    }

    private static Table Table(string family, IReadOnlyList<Trial> trials, Trial winner)
    {
        var table = new Table().Title(Markup.Escape(family)).AddColumns("settings", "validation (mean ± std over folds)", "test AUC", "test GAUC");
        foreach (var trial in trials.OrderByDescending(t => t.Validation))
        {
            var (settings, runs) = (trial.Settings, trial.Runs);
            // Test figures only for the defaults and the winner: the others never reach a test fold.
            var shown = settings.Count == 0 || trial == winner;
            var name = SearchSpace.Describe(settings) + (trial == winner ? " (selected)" : string.Empty);
            table.AddRow(
                Markup.Escape(name),
                ResultsReport.MeanStd(runs.Select(r => r.BestValidation)),
                shown ? ResultsReport.MeanStd(runs.Select(r => r.Test.Auc)) : "",
                shown ? ResultsReport.MeanStd(runs.Select(r => r.Test.Gauc)) : "");
        }
        return table;
    }

    private static JsonObject Json(string family, IReadOnlyList<Trial> trials, Trial winner)
    {
        var defaults = trials[0].Runs;
        var selected = winner.Runs;
        var groups = PairedComparison.Match([.. selected.Select(r => r.Outcomes)], [.. defaults.Select(r => r.Outcomes)]);
        return new JsonObject
        {
            ["family"] = family,
            ["selected"] = SearchSpace.Describe(winner.Settings),
            ["trials"] = new JsonArray([.. trials.Select(t => new JsonObject
            {
                ["settings"] = new JsonObject([.. t.Settings.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
                ["validation"] = new JsonArray([.. t.Runs.Select(r => (JsonNode?)ResultsReport.Number(r.BestValidation))]),
                ["validationMean"] = ResultsReport.Number(t.Validation),
            })]),
            ["test"] = new JsonObject
            {
                ["defaults"] = TestJson(defaults),
                ["selected"] = TestJson(selected),
                ["selectedMinusDefaults"] = new JsonObject
                {
                    ["auc"] = DifferenceJson(PairedComparison.PooledAuc(groups)),
                    ["gauc"] = DifferenceJson(PairedComparison.PerUser("gauc", groups)),
                },
            },
        };
    }

    private static JsonObject TestJson(IReadOnlyList<ModelRun> runs) => new()
    {
        ["auc"] = ResultsReport.Number(runs.Average(r => r.Test.Auc)),
        ["gauc"] = ResultsReport.Number(runs.Average(r => r.Test.Gauc)),
        ["catalogue-ndcg@10"] = ResultsReport.Number(runs.Average(r => r.Test.CatalogueNdcgAt10)),
    };

    private static JsonObject DifferenceJson(PairedDifference d) => new()
    {
        ["difference"] = ResultsReport.Number(d.Mean),
        ["low"] = ResultsReport.Number(d.Low),
        ["high"] = ResultsReport.Number(d.High),
        ["wins"] = d.Wins,
        ["losses"] = d.Losses,
        ["ties"] = d.Ties,
    };
}
