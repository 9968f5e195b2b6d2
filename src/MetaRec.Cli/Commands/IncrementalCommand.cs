using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MetaRec.Cli.Experiments;
using MetaRec.Core.Protocols;
using MetaRec.Core.Training;
using Spectre.Console;

namespace MetaRec.Cli.Commands;

/// <summary>
/// <c>metarec incremental</c>: ASMG's incremental protocol. The base family trained period by
/// period (IU), batch updates over the last periods (BU), and generators that read the last
/// period models: ASMG-Linear, ASMG-GRU trained on its last output (single) or on every
/// output (multi). Prints mean AUC and log loss over the test periods, mean ± std over seeds.
/// </summary>
internal static class IncrementalCommand
{
    public const string DefaultMethods = "linear,gru-single,gru-multi";

    public static Command Create()
    {
        var data = CommonOptions.Data();
        var methods = new Option<string>("--methods") { Description = $"Generators beside IU and BU: linear, gru-single, gru-multi (comma-separated, or none). Default: {DefaultMethods}.", DefaultValueFactory = _ => DefaultMethods };
        var seeds = new Option<string>("--seeds") { Description = "Seeds, e.g. 1-3: each seeds the negatives, the models and the generators.", DefaultValueFactory = _ => "1" };
        var test = new Option<int>("--test-periods") { Description = "Last periods the results are reported on.", DefaultValueFactory = _ => 7 };
        var window = new Option<int>("--window") { Description = "k: models a generator reads and periods a batch update trains on.", DefaultValueFactory = _ => 3 };
        var settings = new Option<string[]>("--set")
        {
            Description = "Setting key=value; prefix with a family or generator to target one: asmg.lr=0.001, asmg-gru.lr=0.01. Unprefixed keys go to all. Repeatable.",
            DefaultValueFactory = _ => [],
        };
        var json = new Option<string?>("--json") { Description = "Also write every period's results as JSON to this path." };
        var threads = CommonOptions.Threads();
        var protocol = new IncrementalCliOptions();
        var command = new Command("incremental", "Run ASMG's incremental protocol: IU, BU and generated models, tested period by period.")
        {
            data, methods, seeds, test, window, settings, json, threads,
        };
        protocol.AddTo(command);
        command.SetAction((result, cancellation) => Task.FromResult(CliHost.Guard(() =>
        {
            var options = protocol.Protocol(result, result.GetValue(test), seed: 1);
            var k = result.GetValue(window);
            if (k < 1 || k > options.Periods - options.PretrainPeriods - options.TestPeriods + 1)
            {
                throw new ArgumentException($"--window {k} must be at least 1 and leave the generators a period to train on before the test periods");
            }
            var batchSize = protocol.BatchSize(result);
            var entries = result.GetValue(settings) ?? [];
            var catalog = CliHost.Start(result.GetValue(threads));
            var baseFamily = catalog.Get(protocol.Family(result));
            var generators = Methods(result.GetValue(methods)!, k, entries, catalog);
            var dataset = CliHost.ReadDataset(result.GetValue(data)!);
            var runs = new List<IncrementalResult>();
            foreach (var seed in CommonOptions.ParseSeeds(result.GetValue(seeds)!))
            {
                var split = IncrementalProtocol.Split(dataset, options with { Seed = seed });
                AnsiConsole.MarkupLine(Markup.Escape($"seed {seed}: {split.Periods.Count} periods of {split.Periods[0].Count:N0} interactions; pretrain 1-{options.PretrainPeriods}, test {split.FirstTestPeriod + 1}-{split.Periods.Count}"));
                var training = new IncrementalTraining(baseFamily, CommonOptions.SettingsFor(baseFamily.Name, entries), generators, batchSize, k);
                training.Status += line => AnsiConsole.MarkupLine(Markup.Escape(line));
                runs.AddRange(training.Run(split, seed, cancellation));
            }
            AnsiConsole.Write(Table(runs));
            if (result.GetValue(json) is { } path)
            {
                File.WriteAllText(path, JsonSerializer.Serialize(new { dataset = dataset.Name, options, window = k, settings = entries, runs = runs.Select(r => new { r.Method, r.Seed, r.MeanAuc, r.MeanLogLoss, r.TestPeriods, r.Cost }) }, new JsonSerializerOptions { WriteIndented = true }));
                AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/]");
            }
            return 0;
        })));
        return command;
    }

    private static List<GeneratorMethod> Methods(string text, int window, IReadOnlyList<string> entries, Core.Plugins.PluginCatalog catalog)
    {
        var methods = new List<GeneratorMethod>();
        foreach (var name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (label, generator, loss) = name switch
            {
                "none" => (null, null, null),
                "linear" => ("ASMG-Linear", "asmg-linear", null),
                "gru-single" => ("ASMG-GRU single", "asmg-gru", "single"),
                "gru-multi" => ("ASMG-GRU multi", "asmg-gru", "multi"),
                _ => throw new ArgumentException($"--methods: unknown method '{name}' (linear, gru-single, gru-multi or none)"),
            };
            if (generator is null)
            {
                continue;
            }
            var family = catalog.GetGenerator(generator);
            var settings = CommonOptions.SettingsFor(family.Name, entries);
            settings["window"] = window.ToString(CultureInfo.InvariantCulture);
            if (loss is not null)
            {
                settings["loss"] = loss;
            }
            methods.Add(new GeneratorMethod(label!, family, settings));
        }
        return methods;
    }

    private static Table Table(IReadOnlyList<IncrementalResult> runs)
    {
        var table = new Table().AddColumns("method", "seeds", "AUC (mean over test periods)", "log loss", "generator parameters", "train s / period", "generate ms");
        foreach (var group in runs.GroupBy(r => r.Method))
        {
            var cost = group.First().Cost;
            table.AddRow(
                group.Key,
                group.Count().ToString(CultureInfo.InvariantCulture),
                ResultsReport.MeanStd(group.Select(r => r.MeanAuc)),
                ResultsReport.MeanStd(group.Select(r => r.MeanLogLoss)),
                cost is null ? "-" : cost.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                cost is null ? "-" : group.Select(r => r.Cost!.TrainSecondsPerPeriod).Order().ElementAt(group.Count() / 2).ToString("F2", CultureInfo.InvariantCulture),
                cost is null ? "-" : group.Select(r => r.Cost!.GenerateMilliseconds).Order().ElementAt(group.Count() / 2).ToString("F1", CultureInfo.InvariantCulture));
        }
        return table;
    }
}
