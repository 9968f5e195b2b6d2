using System.Text.Json;
using MetaRec.Testing;

namespace MetaRec.Cli.Tests;

public sealed class CliTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("metarec-cli-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public async Task Families_lists_the_bundled_plugin_families()
    {
        var result = await Metarec.RunAsync("families");
        Assert.Equal(0, result.ExitCode);
        foreach (var name in new[] { "mpp", "melu", "pooled", "pooled-finetune" })
        {
            Assert.Contains(name, result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Train_writes_a_checkpoint_whose_manifest_matches_its_weights()
    {
        var folder = Path.Combine(_temp.FullName, "ckpt");
        var result = await Metarec.RunAsync("train", "--family", "mpp", "--epochs", "2", "--out", folder);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        var root = manifest.RootElement;
        Assert.Equal("mpp", root.GetProperty("family").GetString());
        Assert.Equal(64, root.GetProperty("data").GetProperty("fingerprint").GetString()!.Length);
        Assert.Equal(610, root.GetProperty("data").GetProperty("users").GetInt32());
        Assert.True(root.GetProperty("metrics").GetProperty("test.auc").GetDouble() > 0.5);
        var weights = Path.Combine(folder, "model.bin");
        Assert.Equal(root.GetProperty("weights").GetProperty("sha256").GetString(), MetaRec.Core.Checkpoints.CheckpointFolder.Sha256(weights));
    }

    [Fact]
    public async Task Evaluate_with_folds_tests_every_qualifying_user_once_and_writes_paired_comparisons()
    {
        var json = Path.Combine(_temp.FullName, "folds.json");
        var result = await Metarec.RunAsync(
            "evaluate", "--models", "pooled,pooled-finetune", "--folds", "2", "--epochs", "1", "--support-sizes", "1,4", "--json", json);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("fold 2/2", result.Output, StringComparison.Ordinal);
        Assert.Contains("pooled-finetune − pooled", result.Output, StringComparison.Ordinal);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var root = document.RootElement;
        Assert.Equal(2, root.GetProperty("folds").GetInt32());
        var rows = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(4, rows.Count);
        foreach (var model in new[] { "pooled", "pooled-finetune" })
        {
            var mine = rows.Where(r => r.GetProperty("model").GetString() == model).ToList();
            Assert.Equal([0, 1], mine.Select(r => r.GetProperty("fold").GetInt32()).Order());
            // ml-latest-small has 365 users with 13 to 100 ratings: the two test folds hold all of them.
            Assert.Equal(365, mine.Sum(r => r.GetProperty("testUsers").GetInt32()));
            Assert.All(mine, r => Assert.Equal([1, 4], r.GetProperty("bySupportSize").EnumerateArray().Select(p => p.GetProperty("size").GetInt32())));
            Assert.All(mine, r => Assert.InRange(r.GetProperty("catalogue-ndcg@10").GetDouble(), 0, 1));
        }
        var comparisons = root.GetProperty("comparisons").EnumerateArray().ToList();
        Assert.Equal(["auc", "gauc", "ndcg@3", "ndcg@5", "catalogue-hr@10", "catalogue-ndcg@10"], comparisons.Select(c => c.GetProperty("metric").GetString()));
        Assert.All(comparisons, c => Assert.True(c.GetProperty("low").GetDouble() <= c.GetProperty("high").GetDouble()));
    }

    [Fact]
    public async Task Tune_keeps_the_defaults_as_one_trial_and_selects_by_validation_only()
    {
        var json = Path.Combine(_temp.FullName, "tune.json");
        var result = await Metarec.RunAsync("tune", "--models", "pooled-finetune", "--budget", "3", "--folds", "2", "--epochs", "1", "--json", json);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var family = document.RootElement.GetProperty("families")[0];
        var trials = family.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(3, trials.Count);
        Assert.Empty(trials[0].GetProperty("settings").EnumerateObject()); // the defaults
        Assert.All(trials, t => Assert.Equal(2, t.GetProperty("validation").GetArrayLength()));
        // The selected trial is the one with the best mean validation score.
        var best = trials.MaxBy(t => t.GetProperty("validationMean").GetDouble());
        var described = best.GetProperty("settings").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}").ToList();
        Assert.Equal(described.Count == 0 ? "defaults" : string.Join(' ', described), family.GetProperty("selected").GetString());
        Assert.InRange(family.GetProperty("test").GetProperty("selected").GetProperty("auc").GetDouble(), 0, 1);
    }

    [Fact]
    public async Task A_malformed_row_is_reported_with_file_and_line_and_exit_code_2()
    {
        var csv = Path.Combine(_temp.FullName, "events.csv");
        File.WriteAllLines(csv, ["user_id,item_id,rating,timestamp", "1,10,4,100", "1,11,five,101"]);

        var result = await Metarec.RunAsync("evaluate", "--data", csv, "--models", "pooled");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("events.csv line 3", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_few_qualifying_users_says_how_many_qualify()
    {
        var tiny = DatasetPaths.Require("tiny/ml-latest-small-tiny");
        var result = await Metarec.RunAsync("evaluate", "--data", tiny, "--models", "pooled");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Only 4 users", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evaluate", "--protocol", "sideways", "--protocol")]
    [InlineData("evaluate", "--models", "nope", "nope")]
    [InlineData("evaluate", "--selection", "accuracy", "SelectionMetric")]
    [InlineData("evaluate", "--folds", "1", "--folds")]
    [InlineData("evaluate", "--support-sizes", "0", "--support-sizes")]
    [InlineData("tune", "--budget", "0", "--budget")]
    [InlineData("tune", "--folds", "1", "--folds")]
    [InlineData("tune", "--models", "nope", "nope")]
    public async Task Bad_options_exit_2_naming_the_field(string command, string option, string value, string named)
    {
        var result = await Metarec.RunAsync(command, option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_compares_pooled_and_mpp_on_the_shipped_dataset()
    {
        var result = await Metarec.RunAsync("demo");
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("MPP offline + online", result.Output, StringComparison.Ordinal);
        Assert.Contains("255 train / 36 validation / 74 test", result.Output, StringComparison.Ordinal);
    }
}
