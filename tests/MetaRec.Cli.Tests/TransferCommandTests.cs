using System.Text.Json.Nodes;
using MetaRec.Testing;

namespace MetaRec.Cli.Tests;

/// <summary>`metarec transfer` on seq-tiny ({Sports, Toys} → Beauty) with small settings.</summary>
public sealed class TransferCommandTests : IDisposable
{
    private static readonly string[] Small =
    [
        "--set", "hidden=16", "--set", "max_length=10", "--set", "negatives=32", "--set", "batch=16", "--set", "epochs=2",
        "--set", "joint_epochs=1", "--set", "meta_steps=4", "--set", "validate_every=2", "--set", "vq_refresh=2",
    ];

    private readonly TempFolder _folder = new("metarec-transfer-");

    public void Dispose() => _folder.Dispose();

    private static string Tiny(string file) => Path.Combine(DatasetPaths.Require("tiny/seq-tiny"), file);

    private static string Sources => $"{Tiny("Sports_and_Outdoors.txt")},{Tiny("Toys_and_Games.txt")}";

    [Fact]
    public async Task Transfer_prints_every_model_with_the_paired_difference_and_writes_json_like_evaluate()
    {
        var json = Path.Combine(_folder.Path, "transfer.json");

        var result = await Metarec.RunAsync(["transfer", "--sources", Sources, "--target", Tiny("Beauty.txt"), "--target-fraction", "0.5", "--seeds", "1,2", "--json", json, .. Small]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("Beauty trains on 20 of 40 users; 40 test users", result.Output, StringComparison.Ordinal);
        foreach (var model in new[] { "target-only", "joint", "pretrain-finetune", "meta-uniform", "meta-novq", "metarec-vq" })
        {
            Assert.Contains($"│ {model}", result.Output, StringComparison.Ordinal);
        }
        Assert.Contains("Δ NDCG@10 vs target-only (paired)", result.Output, StringComparison.Ordinal);
        var document = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal("Beauty", (string?)document["dataset"]);
        Assert.Equal("leave-one-out", (string?)document["protocol"]);
        Assert.Equal(0.5, (double)document["targetFraction"]!);
        var results = document["results"]!.AsArray();
        Assert.Equal(12, results.Count);
        foreach (var row in results)
        {
            foreach (var metric in new[] { "hr@5", "hr@10", "hr@20", "ndcg@5", "ndcg@10", "ndcg@20", "mrr" })
            {
                Assert.InRange((double)row![metric]!, 0, 1);
            }
            Assert.Equal(40, (int)row!["testUsers"]!);
            Assert.Equal(20, (int)row["trainingUsers"]!);
            // Each run's stages, in order, with their steps and wall time.
            var stages = row["stages"]!.AsArray().Select(c => (string)c!["stage"]!).ToArray();
            Assert.Equal((string?)row["model"] switch
            {
                "target-only" => ["target"],
                "joint" => ["joint"],
                "pretrain-finetune" => ["pre-train", "fine-tune"],
                _ => ["meta", "fine-tune"],
            }, stages);
            Assert.All(row["stages"]!.AsArray(), c => Assert.True((int)c!["steps"]! > 0 && (double)c["seconds"]! > 0));
            Assert.True(row["stages"]!.AsArray().Sum(c => (double)c!["seconds"]!) <= (double)row["seconds"]!);
        }
        Assert.Matches(@"seed 1 metarec-vq: test NDCG@10 [0-9.]+, HR@10 [0-9.]+ \(\d+ s: meta \d+ steps in \d+ s \(\d+ ms/step\), fine-tune \d+ steps", result.Output);
    }

    [Theory]
    [InlineData("--target-fraction", "0", "--target-fraction must be in (0, 1]")]
    [InlineData("--models", "target-only,metarec", "no transfer trainer 'metarec'")]
    [InlineData("--set", "metarec-vq.similarity=both", "setting 'similarity' must be aligned or raw")]
    public async Task Bad_options_exit_2_naming_what_is_wrong(string option, string value, string message)
    {
        var result = await Metarec.RunAsync(["transfer", "--sources", Sources, "--target", Tiny("Beauty.txt"), "--seeds", "1", option, value, .. Small]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_line_in_a_domain_file_is_reported_with_file_and_line()
    {
        var target = _folder.Write("Shop.txt", ["1 10 11 12", "2 10 11", "3"]);

        var result = await Metarec.RunAsync(["transfer", "--sources", Sources, "--target", target, "--seeds", "1", .. Small]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: Shop.txt line 3: user 3 has no items", result.Error, StringComparison.Ordinal);
    }
}
