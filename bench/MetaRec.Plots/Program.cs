using System.Globalization;
using System.Text.Json;
using ScottPlot;

namespace MetaRec.Plots;

/// <summary>
/// Draws the cold-start support-size curves as one PNG: one panel per JSON file that
/// <c>metarec evaluate --support-sizes 1,2,4,8,16 --json FILE</c> wrote (titled with its
/// <c>dataset</c>), x = the support-set size on a log2 axis, y = the chosen metric from
/// <c>results[].bySupportSize</c>, one line with markers per model: the mean over that model's
/// runs (seeds and folds), with error bars of ±1 sample standard deviation where it has more than
/// one run. Null metric values are skipped.
/// <code>dotnet run --project bench/MetaRec.Plots -c Release -- [--metric gauc|auc|ndcg@5] [--out FILE.png] RESULTS.json...</code>
/// </summary>
internal static class Program
{
    private const int PanelWidth = 600;
    private const int PanelHeight = 500;

    private static int Main(string[] args)
    {
        var metric = "gauc";
        var output = "cold-start-support.png";
        var files = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--metric" when i + 1 < args.Length:
                    metric = args[++i];
                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "-h" or "--help":
                    Console.WriteLine("usage: MetaRec.Plots [--metric gauc|auc|ndcg@5] [--out FILE.png] RESULTS.json...");
                    return 0;
                case var a when a.StartsWith('-'):
                    return Fail($"unknown option or missing value: {a}");
                default:
                    files.Add(args[i]);
                    break;
            }
        }
        if (files.Count == 0)
        {
            return Fail("no input files; usage: MetaRec.Plots [--metric gauc|auc|ndcg@5] [--out FILE.png] RESULTS.json...");
        }

        var panels = new List<Panel>();
        foreach (var file in files)
        {
            try
            {
                panels.Add(Panel.Read(file, metric));
            }
            catch (InvalidDataException e)
            {
                return Fail(e.Message);
            }
        }

        // One colour and marker per model, the same in every panel, in order of first appearance.
        var models = panels.SelectMany(p => p.Curves.Keys).Distinct().ToList();
        var palette = new ScottPlot.Palettes.Category10();
        MarkerShape[] shapes = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp,
            MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown, MarkerShape.OpenCircle, MarkerShape.OpenSquare];

        var multiplot = new Multiplot();
        multiplot.AddPlots(panels.Count);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        for (var p = 0; p < panels.Count; p++)
        {
            var plot = multiplot.GetPlot(p);
            var panel = panels[p];
            var sizes = panel.Curves.Values.SelectMany(c => c.Select(pt => pt.Size)).Distinct().Order().ToArray();
            foreach (var (model, points) in panel.Curves)
            {
                var m = models.IndexOf(model);
                // Spread the models a little along x so that their error bars do not overlap.
                var dx = (m - (models.Count - 1) / 2.0) * 0.04;
                var xs = points.Select(pt => Math.Log2(pt.Size) + dx).ToArray();
                var ys = points.Select(pt => pt.Mean).ToArray();
                var color = palette.GetColor(m);
                if (points.Any(pt => pt.Runs > 1))
                {
                    var bars = plot.Add.ErrorBar(xs, ys, points.Select(pt => pt.Std).ToArray());
                    bars.Color = color;
                }
                var line = plot.Add.Scatter(xs, ys, color);
                line.LegendText = model;
                line.LineWidth = 2;
                line.MarkerSize = 8;
                line.MarkerShape = shapes[m % shapes.Length];
            }
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                sizes.Select(s => Math.Log2(s)).ToArray(),
                sizes.Select(s => s.ToString(CultureInfo.InvariantCulture)).ToArray());
            plot.Axes.SetLimitsX(Math.Log2(sizes[0]) - 0.4, Math.Log2(sizes[^1]) + 0.4);
            plot.Font.Set("DejaVu Sans");
            plot.HideLegend();
            plot.Title(panel.Dataset);
            plot.XLabel("support-set size (ratings per user)");
            plot.YLabel(MetricLabel(metric));
        }
        // One legend, outside the data area of the last panel.
        multiplot.GetPlot(panels.Count - 1).ShowLegend(Edge.Right);

        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        multiplot.SavePng(output, PanelWidth * panels.Count, PanelHeight);
        Console.WriteLine($"wrote {output} ({panels.Count} panel(s), {MetricLabel(metric)}, {models.Count} model(s))");
        return 0;
    }

    private static string MetricLabel(string metric) => metric.ToUpperInvariant();

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }

    /// <summary>One point of a model's curve: the metric at one support-set size over the model's runs.</summary>
    private sealed record Point(int Size, double Mean, double Std, int Runs);

    /// <summary>One file's curves, by model in order of appearance.</summary>
    private sealed record Panel(string Dataset, Dictionary<string, List<Point>> Curves)
    {
        public static Panel Read(string file, string metric)
        {
            if (!File.Exists(file))
            {
                throw new InvalidDataException($"{file}: file not found");
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(File.ReadAllText(file));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{file}: not valid JSON ({e.Message})");
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty("dataset", out var dataset) || dataset.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException($"{file}: no string field \"dataset\"; not a `metarec evaluate --json` file");
                }
                if (!root.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
                {
                    throw new InvalidDataException($"{file}: no array field \"results\"; not a `metarec evaluate --json` file");
                }

                // model -> size -> the values over its runs
                var values = new Dictionary<string, SortedDictionary<int, List<double>>>();
                var withSizes = 0;
                foreach (var result in results.EnumerateArray())
                {
                    if (result.ValueKind != JsonValueKind.Object
                        || !result.TryGetProperty("bySupportSize", out var bySize) || bySize.ValueKind != JsonValueKind.Array
                        || bySize.GetArrayLength() == 0)
                    {
                        continue;
                    }
                    withSizes++;
                    var model = result.TryGetProperty("model", out var name) && name.ValueKind == JsonValueKind.String
                        ? name.GetString()!
                        : throw new InvalidDataException($"{file}: a results[] entry has no string field \"model\"");
                    if (!values.TryGetValue(model, out var bySizeValues))
                    {
                        values[model] = bySizeValues = [];
                    }
                    foreach (var point in bySize.EnumerateArray())
                    {
                        if (point.ValueKind != JsonValueKind.Object
                            || !point.TryGetProperty("size", out var size) || !size.TryGetInt32(out var s) || s < 1)
                        {
                            throw new InvalidDataException($"{file}: a results[].bySupportSize entry of model {model} has no positive integer \"size\"");
                        }
                        if (point.TryGetProperty(metric, out var value) && value.ValueKind == JsonValueKind.Number)
                        {
                            if (!bySizeValues.TryGetValue(s, out var list))
                            {
                                bySizeValues[s] = list = [];
                            }
                            list.Add(value.GetDouble());
                        }
                    }
                }
                if (withSizes == 0)
                {
                    throw new InvalidDataException($"{file}: no results[].bySupportSize data; run `metarec evaluate` with --support-sizes 1,2,4,8,16");
                }

                var curves = new Dictionary<string, List<Point>>();
                foreach (var (model, bySize) in values)
                {
                    var points = bySize.Where(kv => kv.Value.Count > 0).Select(kv => Summarise(kv.Key, kv.Value)).ToList();
                    if (points.Count > 0)
                    {
                        curves[model] = points;
                    }
                }
                return curves.Count == 0
                    ? throw new InvalidDataException($"{file}: no \"{metric}\" values in results[].bySupportSize (all missing or null)")
                    : new Panel(dataset.GetString()!, curves);
            }
        }

        private static Point Summarise(int size, List<double> runs)
        {
            var mean = runs.Average();
            var std = runs.Count > 1 ? Math.Sqrt(runs.Sum(v => (v - mean) * (v - mean)) / (runs.Count - 1)) : 0;
            return new Point(size, mean, std, runs.Count);
        }
    }
}
