using System.Globalization;
using System.Text.Json.Nodes;
using MetaRec.Core.Evaluation;
using Spectre.Console;

namespace MetaRec.Cli.Experiments;

/// <summary>Prints transfer runs as mean ± std per model and metric, with the paired difference to the baseline, and writes them as JSON.</summary>
internal static class TransferReport
{
    public const string Baseline = "target-only";

    public static Table Table(IReadOnlyList<TransferRun> runs)
    {
        var table = new Table().AddColumn("model").AddColumn("seeds");
        foreach (var name in NextItemMetrics.Names)
        {
            table.AddColumn(name.ToUpperInvariant().Replace("HR", "HR", StringComparison.Ordinal));
        }
        table.AddColumn($"Δ NDCG@10 vs {Baseline} (paired)").AddColumn("seconds/seed");
        var baseline = runs.Where(r => r.Model == Baseline).ToDictionary(r => r.Seed, r => r.Test.Ndcg10);
        foreach (var group in runs.GroupBy(r => r.Model))
        {
            var rows = group.ToList();
            var cells = new List<string> { group.Key, rows.Count.ToString(CultureInfo.InvariantCulture) };
            for (var m = 0; m < NextItemMetrics.Names.Length; m++)
            {
                cells.Add(ResultsReport.MeanStd(rows.Select(r => r.Test.Values[m])));
            }
            var paired = rows.Where(r => baseline.ContainsKey(r.Seed)).Select(r => r.Test.Ndcg10 - baseline[r.Seed]).ToList();
            cells.Add(group.Key == Baseline || paired.Count == 0 ? "-" : Signed(paired));
            cells.Add(rows.Average(r => r.Seconds).ToString("F0", CultureInfo.InvariantCulture));
            table.AddRow([.. cells.Select(Markup.Escape)]);
        }
        return table;
    }

    /// <summary>"+0.0012 ± 0.0004": mean and sample standard deviation of paired differences.</summary>
    private static string Signed(IReadOnlyList<double> differences)
    {
        var text = ResultsReport.MeanStd(differences);
        return differences.Average() >= 0 ? "+" + text : text;
    }

    /// <summary>JSON in the shape <c>evaluate</c> writes: dataset, protocol, splitSeed and one result per model and seed.</summary>
    public static void WriteJson(string path, TransferOptions options, IReadOnlyList<TransferRun> runs)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new JsonArray();
        foreach (var run in runs)
        {
            var result = new JsonObject { ["model"] = run.Model, ["seed"] = run.Seed };
            for (var m = 0; m < NextItemMetrics.Names.Length; m++)
            {
                result[NextItemMetrics.Names[m]] = run.Test.Values[m];
            }
            result["testUsers"] = run.Test.Users;
            result["trainingUsers"] = run.TrainingUsers;
            result["totalParameters"] = run.TotalParameters;
            result["seconds"] = run.Seconds;
            result["stages"] = new JsonArray([.. run.Stages.Select(c => (JsonNode)new JsonObject { ["stage"] = c.Stage, ["steps"] = c.Steps, ["seconds"] = c.Seconds })]);
            results.Add(result);
        }
        var document = new JsonObject
        {
            ["dataset"] = Path.GetFileNameWithoutExtension(options.Target),
            ["protocol"] = "leave-one-out",
            // Each seed draws its own target training users (when the fraction is below 1) and initialisation.
            ["splitSeed"] = null,
            ["sources"] = new JsonArray([.. options.Sources.Select(s => (JsonNode)Path.GetFileNameWithoutExtension(s))]),
            ["targetFraction"] = options.TargetFraction,
            ["settings"] = new JsonArray([.. options.Settings.Select(s => (JsonNode)s)]),
            ["results"] = results,
        };
        ResultsReport.WriteDocument(path, document);
    }
}
