using MetaRec.Abstractions;
using MetaRec.Core.Data;
using MetaRec.Core.Evaluation;
using MetaRec.Core.Protocols;
using MetaRec.Core.Tensors;
using MetaRec.Testing;

namespace MetaRec.Plugins.Vq.Tests;

/// <summary>Every transfer trainer on seq-tiny ({Sports, Toys} → Beauty, 40 users each), with small settings.</summary>
public sealed class TransferTests
{
    private static readonly Dictionary<string, string> Small = new()
    {
        ["hidden"] = "16",
        ["max_length"] = "10",
        ["negatives"] = "32",
        ["batch"] = "16",
        ["epochs"] = "2",
        ["joint_epochs"] = "1",
        ["meta_steps"] = "6",
        ["validate_every"] = "3",
        ["vq_refresh"] = "3",
        ["validation_users"] = "0",
    };

    public TransferTests() => TorchRuntime.EnsureInitialized();

    private static SequenceDataset Read(string file) => SequenceReader.Read(Path.Combine(DatasetPaths.Require("tiny/seq-tiny"), file));

    private static (TransferTask Task, LeaveOneOutSplit Split) Tiny()
    {
        var target = Read("Beauty.txt");
        var split = LeaveOneOutSplit.Create(target);
        SequenceDomain[] sources = [.. new[] { "Sports_and_Outdoors.txt", "Toys_and_Games.txt" }.Select(Read).Select(s => new SequenceDomain(s.Name, s.ItemCount, s.Sequences))];
        return (new TransferTask(sources, new SequenceDomain(target.Name, target.ItemCount, split.Training), split.Validation), split);
    }

    private static ITransferFamily Trainer(string name) => new VqPlugin().TransferFamilies.Single(t => t.Name == name);

    [Theory]
    [InlineData("target-only", "target")]
    [InlineData("joint", "joint")]
    [InlineData("pretrain-finetune", "pre-train")]
    [InlineData("meta-uniform", "meta")]
    [InlineData("meta-novq", "meta")]
    [InlineData("metarec-vq", "meta")]
    public void Each_trainer_returns_a_target_model_that_saves_loads_and_ranks_every_target_item(string name, string firstStage)
    {
        var (task, split) = Tiny();
        var stages = new List<string>();

        using var model = Trainer(name).Train(task, Small, seed: 3, new Core.Training.SyncProgress<TransferProgress>(p => stages.Add(p.Stage)), CancellationToken.None);

        Assert.Equal("metarec-vq", model.Info.Family);
        Assert.Equal(task.Target.ItemCount, model.Catalogue.Schema.ItemCount);
        Assert.StartsWith(firstStage, stages[0], StringComparison.Ordinal);
        var metrics = NextItemRanking.Evaluate(model, split.Test);
        Assert.Equal(40, metrics.Users);
        Assert.InRange(metrics.Mrr, 1.0 / task.Target.ItemCount / 2, 1);
        using var buffer = new MemoryStream();
        model.Save(buffer);
        buffer.Position = 0;
        using var loaded = (ISequentialModel)new VqPlugin().Families.Single().Load(buffer);
        int[][] histories = [split.Test[0].History, split.Test[1].History];
        Assert.Equal(model.ScoreNext(histories), loaded.ScoreNext(histories));
    }

    [Fact]
    public void Meta_trainers_fine_tune_after_the_meta_stage_and_report_source_weights()
    {
        var (task, _) = Tiny();
        var stages = new List<string>();

        using var model = Trainer("metarec-vq").Train(task, Small, seed: 3, new Core.Training.SyncProgress<TransferProgress>(p => stages.Add(p.Stage)), CancellationToken.None);

        var meta = stages.TakeWhile(s => s.StartsWith("meta", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, meta.Count);
        Assert.Matches(@"^meta \(mean w \d\.\d\d/\d\.\d\d\)$", meta[^1]);
        Assert.All(stages.Skip(meta.Count), s => Assert.Equal("fine-tune", s));
        Assert.NotEmpty(stages.Skip(meta.Count));
    }

    [Fact]
    public void The_same_seed_trains_the_same_model_and_another_seed_another()
    {
        var (task, split) = Tiny();
        float[] Scores(int seed)
        {
            using var model = Trainer("metarec-vq").Train(task, Small, seed, null, CancellationToken.None);
            return model.ScoreNext([split.Test[0].History]);
        }

        Assert.Equal(Scores(4), Scores(4));
        Assert.NotEqual(Scores(4), Scores(5));
    }

    [Fact]
    public void Bad_settings_and_missing_sources_are_refused_before_training()
    {
        var (task, _) = Tiny();
        var noSources = task with { Sources = [] };

        var unknown = Assert.Throws<ArgumentException>(() => Trainer("metarec-vq").Train(task, new Dictionary<string, string> { ["inner_rate"] = "1" }, 1, null, CancellationToken.None));
        Assert.Contains("inner_rate", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("similarity", Assert.Throws<ArgumentException>(() => Trainer("metarec-vq").Train(task, new Dictionary<string, string> { ["similarity"] = "both" }, 1, null, CancellationToken.None)).Message, StringComparison.Ordinal);
        Assert.Contains("vq_heads", Assert.Throws<ArgumentException>(() => Trainer("metarec-vq").Train(task, new Dictionary<string, string> { ["hidden"] = "16", ["vq_heads"] = "3" }, 1, null, CancellationToken.None)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Trainer("joint").Train(noSources, Small, 1, null, CancellationToken.None));
        using var alone = Trainer("target-only").Train(noSources, Small, 1, null, CancellationToken.None);
        Assert.Equal(task.Target.ItemCount, alone.Catalogue.Schema.ItemCount);
    }
}
