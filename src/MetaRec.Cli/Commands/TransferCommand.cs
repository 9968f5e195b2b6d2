using System.CommandLine;
using System.Globalization;
using MetaRec.Cli.Experiments;
using MetaRec.Core.Data;
using Spectre.Console;

namespace MetaRec.Cli.Commands;

/// <summary><c>metarec transfer</c>: cross-domain transfer to a target domain, every model on every seed, full-ranking test.</summary>
internal static class TransferCommand
{
    public const string DefaultModels = "target-only,joint,pretrain-finetune,meta-uniform,meta-novq,metarec-vq";

    public static Command Create()
    {
        var sources = new Option<string>("--sources") { Description = "Comma-separated source domain files (user item item … per line).", Required = true };
        var target = new Option<string>("--target") { Description = "The target domain file, same format.", Required = true };
        var fraction = new Option<double>("--target-fraction") { Description = "Share of the target's training users to train on (validation and test unchanged).", DefaultValueFactory = _ => 1.0 };
        var models = new Option<string>("--models") { Description = $"Comma-separated transfer trainers. Default: {DefaultModels}.", DefaultValueFactory = _ => DefaultModels };
        var seeds = new Option<string>("--seeds") { Description = "Seeds, e.g. 1-3 or 1,2,3: each draws the target training users and the initialisation; every model sees the same ones.", DefaultValueFactory = _ => "1-3" };
        var settings = CommonOptions.Settings();
        var threads = CommonOptions.Threads();
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this path." };
        var command = new Command("transfer", "Train target-domain sequential recommenders with and without transfer from source domains; print mean ± std over seeds.")
        {
            sources, target, fraction, models, seeds, settings, threads, json,
        };
        command.SetAction((result, cancellation) => Task.FromResult(CliHost.Guard(() =>
        {
            var options = new TransferOptions(
                [.. result.GetValue(sources)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                result.GetValue(target)!,
                result.GetValue(fraction),
                [.. result.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                CommonOptions.ParseSeeds(result.GetValue(seeds)!),
                result.GetValue(settings) ?? []);
            var runs = Run(options, result.GetValue(threads), cancellation);
            if (result.GetValue(json) is { } path)
            {
                TransferReport.WriteJson(path, options, runs);
                AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/]");
            }
            return 0;
        })));
        return command;
    }

    private static IReadOnlyList<TransferRun> Run(TransferOptions options, int threads, CancellationToken cancellation)
    {
        if (!(options.TargetFraction > 0 && options.TargetFraction <= 1))
        {
            throw new ArgumentException($"--target-fraction must be in (0, 1], not {options.TargetFraction.ToString(CultureInfo.InvariantCulture)}");
        }
        if (options.Seeds.Count == 0 || options.Models.Count == 0)
        {
            throw new ArgumentException("--seeds and --models must each name at least one");
        }
        var catalog = CliHost.Start(threads);
        foreach (var model in options.Models)
        {
            catalog.GetTransfer(model); // fail before any work on an unknown name
        }
        var sourceData = options.Sources.Select(Read).ToList();
        var targetData = Read(options.Target);
        var runner = new TransferRunner(catalog, options);
        runner.Status += line => AnsiConsole.MarkupLine(Markup.Escape(line));
        IReadOnlyList<TransferRun> runs = [];
        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            AnsiConsole.Progress().AutoClear(true).Start(context =>
            {
                var tasks = new Dictionary<(string, int), ProgressTask>();
                runner.Progress += (model, seed, progress) =>
                {
                    if (!tasks.TryGetValue((model, seed), out var task))
                    {
                        task = tasks[(model, seed)] = context.AddTask(Markup.Escape($"seed {seed} {model}"));
                    }
                    var validation = progress.Validation is { } v ? string.Create(CultureInfo.InvariantCulture, $" (val NDCG@10 {v:F4})") : "";
                    task.Description = Markup.Escape($"seed {seed} {model}: {progress.Stage}{validation}");
                    task.MaxValue = progress.Total;
                    task.Value = progress.Done;
                };
                runs = runner.Run(sourceData, targetData, cancellation);
            });
        }
        else
        {
            // Logs get a line per stage and every tenth of it, not a redrawn bar.
            var last = new Dictionary<(string, int, string), int>();
            runner.Progress += (model, seed, progress) =>
            {
                var tenth = progress.Total == 0 ? 10 : progress.Done * 10 / progress.Total;
                var key = (model, seed, progress.Stage.Split(' ')[0]);
                if (!last.TryGetValue(key, out var seen) || seen != tenth)
                {
                    last[key] = tenth;
                    var validation = progress.Validation is { } v ? string.Create(CultureInfo.InvariantCulture, $", val NDCG@10 {v:F4}") : "";
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  seed {seed} {model}: {progress.Stage} {progress.Done}/{progress.Total}{validation}"));
                }
            };
            runs = runner.Run(sourceData, targetData, cancellation);
        }
        AnsiConsole.Write(TransferReport.Table(runs));
        return runs;
    }

    private static SequenceDataset Read(string path)
    {
        var data = SequenceReader.Read(path);
        AnsiConsole.MarkupLine(Markup.Escape($"{data.Name}: {data.UserCount:N0} users, {data.ItemCount:N0} items, {data.InteractionCount:N0} interactions"));
        return data;
    }
}
