using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace MetaRec.Cli.Experiments;

/// <summary>Prints runs as a mean ± std table and writes them as JSON.</summary>
internal static class ResultsReport
{
    public static Table Table(IReadOnlyList<ModelRun> runs)
    {
        var table = new Table().AddColumns("model", "seeds", "AUC", "GAUC", "log loss", "NDCG@10", "HR@10", "AUC few-support users", "AUC many-support users", "state floats/user", "seconds/seed");
        foreach (var group in runs.GroupBy(r => r.Model))
        {
            var rows = group.ToList();
            table.AddRow(
                group.Key,
                rows.Count.ToString(CultureInfo.InvariantCulture),
                MeanStd(rows.Select(r => r.Auc)),
                MeanStd(rows.Select(r => r.Gauc)),
                MeanStd(rows.Select(r => r.LogLoss)),
                MeanStd(rows.Select(r => r.NdcgAt10)),
                MeanStd(rows.Select(r => r.HrAt10)),
                rows.All(r => r.ByActivity is not null) ? MeanStd(rows.Select(r => r.ByActivity!.FewAuc)) : "-",
                rows.All(r => r.ByActivity is not null) ? MeanStd(rows.Select(r => r.ByActivity!.ManyAuc)) : "-",
                rows[0].AdaptiveParameters.ToString("N0", CultureInfo.InvariantCulture),
                rows.Average(r => r.Seconds).ToString("F0", CultureInfo.InvariantCulture));
        }
        return table;
    }

    /// <summary>"0.6543 ± 0.0123" (sample standard deviation; no ± for one value).</summary>
    public static string MeanStd(IEnumerable<double> values)
    {
        var list = values.ToList();
        var mean = list.Average();
        if (list.Count < 2)
        {
            return mean.ToString("F4", CultureInfo.InvariantCulture);
        }
        var std = Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1));
        return string.Create(CultureInfo.InvariantCulture, $"{mean:F4} ± {std:F4}");
    }

    public static void WriteJson(string path, string dataset, ExperimentOptions options, IReadOnlyList<ModelRun> runs)
    {
        var results = new JsonArray();
        foreach (var run in runs)
        {
            results.Add(new JsonObject
            {
                ["model"] = run.Model,
                ["seed"] = run.Seed,
                ["auc"] = run.Auc,
                ["gauc"] = run.Gauc,
                ["logloss"] = run.LogLoss,
                ["ndcg@10"] = run.NdcgAt10,
                ["hr@10"] = run.HrAt10,
                ["mae"] = run.Mae,
                ["adaptiveParametersPerUser"] = run.AdaptiveParameters,
                ["totalParameters"] = run.TotalParameters,
                ["bestEpoch"] = run.BestEpoch,
                ["seconds"] = run.Seconds,
                ["byActivity"] = run.ByActivity is not { } a ? null : new JsonObject
                {
                    ["medianSupport"] = a.MedianSupport,
                    ["few"] = new JsonObject { ["users"] = a.FewUsers, ["auc"] = a.FewAuc, ["gauc"] = a.FewGauc },
                    ["many"] = new JsonObject { ["users"] = a.ManyUsers, ["auc"] = a.ManyAuc, ["gauc"] = a.ManyGauc },
                },
            });
        }
        var document = new JsonObject
        {
            ["dataset"] = dataset,
            ["protocol"] = options.Protocol,
            // null: each seed also seeds its own split (splitSeed = seed).
            ["splitSeed"] = options.FixedSplitSeed,
            ["results"] = results,
        };
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        File.WriteAllText(path, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
