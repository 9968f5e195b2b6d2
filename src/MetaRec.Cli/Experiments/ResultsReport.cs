using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MetaRec.Core.Evaluation;
using Spectre.Console;

namespace MetaRec.Cli.Experiments;

/// <summary>Prints runs as a mean ± std table and the paired comparisons, and writes both as JSON.</summary>
internal static class ResultsReport
{
    public static Table Table(IReadOnlyList<ModelRun> runs)
    {
        var table = new Table().AddColumns("model", "runs", "AUC", "GAUC", "log loss", "NDCG@3", "NDCG@5", "catalogue HR@10", "catalogue NDCG@10", "AUC few-support users", "AUC many-support users", "state floats/user", "seconds/run");
        foreach (var group in runs.GroupBy(r => r.Model))
        {
            var rows = group.ToList();
            table.AddRow(
                group.Key,
                rows.Count.ToString(CultureInfo.InvariantCulture),
                MeanStd(rows.Select(r => r.Test.Auc)),
                MeanStd(rows.Select(r => r.Test.Gauc)),
                MeanStd(rows.Select(r => r.Test.LogLoss)),
                MeanStd(rows.Select(r => r.Test.NdcgAt3)),
                MeanStd(rows.Select(r => r.Test.NdcgAt5)),
                MeanStd(rows.Select(r => r.Test.CatalogueHrAt10)),
                MeanStd(rows.Select(r => r.Test.CatalogueNdcgAt10)),
                rows.All(r => r.ByActivity is not null) ? MeanStd(rows.Select(r => r.ByActivity!.FewAuc)) : "-",
                rows.All(r => r.ByActivity is not null) ? MeanStd(rows.Select(r => r.ByActivity!.ManyAuc)) : "-",
                rows[0].AdaptiveParameters.ToString("N0", CultureInfo.InvariantCulture),
                rows.Average(r => r.Seconds).ToString("F0", CultureInfo.InvariantCulture));
        }
        return table;
    }

    /// <summary>One row per comparison; each cell "Δ [low, high] win%" (AUC: splits won).</summary>
    public static Table ComparisonTable(IReadOnlyList<ModelComparison> comparisons)
    {
        var table = new Table().AddColumn("A − B");
        foreach (var metric in ModelComparisons.Metrics)
        {
            table.AddColumn(metric == "auc" ? "AUC (splits won)" : $"{metric} (users won)");
        }
        foreach (var comparison in comparisons)
        {
            table.AddRow([$"{comparison.A} − {comparison.B}", .. comparison.Differences.Select(Cell)]);
        }
        return table;
    }

    /// <summary>"+0.0123 [+0.0040, +0.0210] 61%", bold when the interval excludes zero.</summary>
    public static string Cell(PairedDifference d)
    {
        if (double.IsNaN(d.Mean))
        {
            return "-";
        }
        var won = d.Unit == "groups" ? $"{d.Wins}/{d.Units}" : d.WinRate.ToString("P0", CultureInfo.InvariantCulture);
        var text = $"{Signed(d.Mean)} [{Signed(d.Low)}, {Signed(d.High)}] {won}";
        return d.ExcludesZero ? $"[bold]{Markup.Escape(text)}[/]" : Markup.Escape(text);
    }

    /// <summary>"+0.0123" or "-0.0040"; a value that rounds to zero prints "+0.0000".</summary>
    public static string Signed(double value)
    {
        var rounded = Math.Round(value, 4) + 0.0; // + 0.0 turns −0 into +0
        return rounded.ToString("+0.0000;-0.0000;+0.0000", CultureInfo.InvariantCulture);
    }

    /// <summary>"0.6543 ± 0.0123" (sample standard deviation; no ± for one value; NaNs skipped).</summary>
    public static string MeanStd(IEnumerable<double> values)
    {
        var list = values.Where(v => !double.IsNaN(v)).ToList();
        if (list.Count == 0)
        {
            return "-";
        }
        var mean = list.Average();
        if (list.Count < 2)
        {
            return mean.ToString("F4", CultureInfo.InvariantCulture);
        }
        var std = Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
        return string.Create(CultureInfo.InvariantCulture, $"{mean:F4} ± {std:F4}");
    }

    public static void WriteJson(string path, string dataset, ExperimentOptions options, IReadOnlyList<ModelRun> runs, IReadOnlyList<ModelComparison> comparisons)
    {
        var results = new JsonArray();
        foreach (var run in runs)
        {
            results.Add(new JsonObject
            {
                ["model"] = run.Model,
                ["seed"] = run.Seed,
                ["fold"] = run.Fold,
                ["auc"] = Number(run.Test.Auc),
                ["gauc"] = Number(run.Test.Gauc),
                ["logloss"] = Number(run.Test.LogLoss),
                ["ndcg@3"] = Number(run.Test.NdcgAt3),
                ["ndcg@5"] = Number(run.Test.NdcgAt5),
                ["catalogue-hr@10"] = Number(run.Test.CatalogueHrAt10),
                ["catalogue-ndcg@10"] = Number(run.Test.CatalogueNdcgAt10),
                ["mae"] = run.Test.Mae is { } mae ? Number(mae) : null,
                ["rmse"] = run.Test.Rmse is { } rmse ? Number(rmse) : null,
                ["testUsers"] = run.Test.Users,
                ["adaptiveParametersPerUser"] = run.AdaptiveParameters,
                ["totalParameters"] = run.TotalParameters,
                ["bestEpoch"] = run.BestEpoch,
                ["seconds"] = run.Seconds,
                ["byActivity"] = run.ByActivity is not { } a ? null : new JsonObject
                {
                    ["medianSupport"] = a.MedianSupport,
                    ["few"] = new JsonObject { ["users"] = a.FewUsers, ["auc"] = Number(a.FewAuc), ["gauc"] = Number(a.FewGauc) },
                    ["many"] = new JsonObject { ["users"] = a.ManyUsers, ["auc"] = Number(a.ManyAuc), ["gauc"] = Number(a.ManyGauc) },
                },
                ["bySupportSize"] = new JsonArray([.. run.BySupportSize.Select(p => new JsonObject
                {
                    ["size"] = p.Size,
                    ["auc"] = Number(p.Auc),
                    ["gauc"] = Number(p.Gauc),
                    ["ndcg@5"] = Number(p.NdcgAt5),
                })]),
            });
        }
        var compared = new JsonArray();
        foreach (var comparison in comparisons)
        {
            foreach (var d in comparison.Differences)
            {
                compared.Add(new JsonObject
                {
                    ["a"] = comparison.A,
                    ["b"] = comparison.B,
                    ["metric"] = d.Metric,
                    ["difference"] = Number(d.Mean),
                    ["low"] = Number(d.Low),
                    ["high"] = Number(d.High),
                    ["wins"] = d.Wins,
                    ["losses"] = d.Losses,
                    ["ties"] = d.Ties,
                    ["unit"] = d.Unit,
                });
            }
        }
        var document = new JsonObject
        {
            ["dataset"] = dataset,
            ["protocol"] = options.Protocol,
            // null: each seed also seeds its own split (splitSeed = seed).
            ["splitSeed"] = options.FixedSplitSeed,
            // 0: one train/validation/test cut per seed; k: k folds over users per seed.
            ["folds"] = options.Folds,
            ["results"] = results,
            ["comparisons"] = compared,
        };
        WriteDocument(path, document);
    }

    /// <summary>Writes <paramref name="document"/> indented to <paramref name="path"/>, creating its folder; shared by every <c>--json</c>.</summary>
    public static void WriteDocument(string path, JsonNode document)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        File.WriteAllText(path, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    // JSON has no NaN: an undefined metric is null.
    public static JsonNode? Number(double value) => double.IsNaN(value) ? null : JsonValue.Create(Math.Round(value, 6));
}
