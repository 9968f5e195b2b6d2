using MetaRec.Abstractions;
using MetaRec.Core.MetaLearning;
using MetaRec.Core.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaRec.Core.Tests.MetaLearning;

/// <summary>Properties of the MAML engine on a model small enough to check by hand.</summary>
public sealed class MamlTests
{
    private static readonly float[,] Embedding = { { 1f, 0f }, { 0f, 1f }, { 0.5f, -0.5f }, { -1f, 2f } };

    public MamlTests() => TorchRuntime.EnsureInitialized();

    private static UserTask Task(string id, (int Item, float Label)[] support, (int Item, float Label)[] query) =>
        new(id, [], [.. support.Select(e => new Example(e.Item, e.Label, 0))], [.. query.Select(e => new Example(e.Item, e.Label, 0))]);

    private static readonly UserTask[] Batch =
    [
        Task("a", [(0, 1), (1, 0), (2, 1)], [(3, 0), (0, 1)]),
        Task("b", [(3, 1), (2, 0)], [(1, 1)]),
    ];

    [Fact]
    public void One_inner_step_lowers_every_tasks_support_loss()
    {
        using var model = new TinyModel(Embedding, [0.3f, -0.2f], 0.1f);
        using var scope = NewDisposeScope();
        var support = TaskTensors.Support(Batch);
        var weights = Weights(model, tasks: Batch.Length, adaptive: ["w", "b"]);

        var before = Maml.TaskLosses(model.Decode(model.Encode(support, weights), support, weights), support).data<float>().ToArray();
        var fast = Maml.InnerLoop(model, support, weights, ["w", "b"], steps: 1, learningRate: 0.5f, createGraph: false);
        var after = Maml.TaskLosses(model.Decode(model.Encode(support, fast), support, fast), support).data<float>().ToArray();

        Assert.All(Enumerable.Range(0, Batch.Length), t => Assert.True(after[t] < before[t], $"task {t}: {before[t]} -> {after[t]}"));
    }

    [Fact]
    public void A_first_order_step_equals_the_hand_computation()
    {
        float[] w = [0.3f, -0.2f];
        const float B = 0.1f, Lr = 0.5f;
        using var model = new TinyModel(Embedding, w, B);
        using var scope = NewDisposeScope();
        var support = TaskTensors.Support(Batch);
        var fast = Maml.InnerLoop(model, support, Weights(model, Batch.Length, ["w", "b"]), ["w", "b"], 1, Lr, createGraph: false);
        var adaptedW = fast["w"].data<float>().ToArray();
        var adaptedB = fast["b"].data<float>().ToArray();

        for (var t = 0; t < Batch.Length; t++)
        {
            // d/dw mean BCE = mean over examples of (sigmoid(z) - y) * x, z = x·w + b.
            var examples = Batch[t].Support;
            double gw0 = 0, gw1 = 0, gb = 0;
            foreach (var e in examples)
            {
                double x0 = Embedding[e.Item, 0], x1 = Embedding[e.Item, 1];
                var residual = (1 / (1 + Math.Exp(-((x0 * w[0]) + (x1 * w[1]) + B)))) - e.Label;
                gw0 += residual * x0 / examples.Count;
                gw1 += residual * x1 / examples.Count;
                gb += residual / examples.Count;
            }
            Assert.Equal(w[0] - (Lr * gw0), adaptedW[(t * 2) + 0], 1e-5);
            Assert.Equal(w[1] - (Lr * gw1), adaptedW[(t * 2) + 1], 1e-5);
            Assert.Equal(B - (Lr * gb), adaptedB[t], 1e-5);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_meta_parameter_receives_gradient(bool firstOrder)
    {
        using var model = new TinyModel(Embedding, [0.3f, -0.2f], 0.1f);
        using var learner = new MetaLearner(model, ["w", "b"], new MamlOptions { InnerSteps = 2, InnerLearningRate = 0.5f, FirstOrder = firstOrder });
        var before = model.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.data<float>().ToArray());

        learner.Step(Batch, TrainStage.Offline);

        foreach (var (name, parameter) in model.NamedParameters)
        {
            Assert.NotNull(parameter.grad);
            Assert.True(parameter.grad!.abs().sum().item<float>() > 0, $"{name} got a zero gradient");
            Assert.NotEqual(before[name], parameter.data<float>().ToArray());
        }
    }

    [Fact]
    public void The_support_loss_term_adds_the_support_gradient_at_the_initialisation()
    {
        float[] w = [0.3f, -0.2f];
        const float B = 0.1f, Weight = 2f;
        (float[] Grad, float Loss) Step(float weight)
        {
            using var model = new TinyModel(Embedding, w, B);
            using var learner = new MetaLearner(model, ["w", "b"], new MamlOptions { InnerSteps = 0, SupportLossWeight = weight });
            var loss = learner.Step(Batch, TrainStage.Offline);
            return (model["emb"].grad!.data<float>().ToArray(), loss);
        }

        var (plain, plainLoss) = Step(0);
        var (withSupport, supportLoss) = Step(Weight);

        // d/d emb[item] of the mean over tasks of each task's mean support BCE: (sigmoid(z) − y)·w / |support| / tasks.
        var expected = new double[Embedding.Length];
        foreach (var task in Batch)
        {
            foreach (var e in task.Support)
            {
                var z = (Embedding[e.Item, 0] * w[0]) + (Embedding[e.Item, 1] * w[1]) + B;
                var residual = (1 / (1 + Math.Exp(-z))) - e.Label;
                for (var d = 0; d < 2; d++)
                {
                    expected[(e.Item * 2) + d] += Weight * residual * w[d] / task.Support.Count / Batch.Length;
                }
            }
        }
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], withSupport[i] - plain[i], 1e-5);
        }
        Assert.Equal(plainLoss, supportLoss); // the returned loss stays the query loss
    }

    [Fact]
    public void Second_order_and_first_order_meta_gradients_differ()
    {
        float[] Grad(bool firstOrder)
        {
            using var model = new TinyModel(Embedding, [0.3f, -0.2f], 0.1f);
            using var learner = new MetaLearner(model, ["w", "b"], new MamlOptions { InnerSteps = 1, InnerLearningRate = 0.5f, FirstOrder = firstOrder });
            learner.Step(Batch, TrainStage.Offline);
            return model["w"].grad!.data<float>().ToArray();
        }

        var second = Grad(firstOrder: false);
        var first = Grad(firstOrder: true);
        Assert.True(Math.Abs(second[0] - first[0]) + Math.Abs(second[1] - first[1]) > 1e-4, "the Hessian term is missing");
    }

    [Fact]
    public void The_online_stage_moves_only_the_adaptive_initialisation()
    {
        using var model = new TinyModel(Embedding, [0.3f, -0.2f], 0.1f);
        using var learner = new MetaLearner(model, ["w", "b"], new MamlOptions { InnerSteps = 1, InnerLearningRate = 0.5f, OnlineLearningRate = 0.05f });
        var embedding = model["emb"].data<float>().ToArray();
        var w = model["w"].data<float>().ToArray();

        learner.Step(Batch, TrainStage.Online);

        Assert.Equal(embedding, model["emb"].data<float>().ToArray());
        Assert.NotEqual(w, model["w"].data<float>().ToArray());
    }

    [Fact]
    public void No_tensor_leaks_across_steps_adaptation_and_scoring()
    {
        using var model = new TinyModel(Embedding, [0.3f, -0.2f], 0.1f);
        using var learner = new MetaLearner(model, ["w", "b"], new MamlOptions { InnerSteps = 2 });
        learner.Step(Batch, TrainStage.Offline); // optimizer state is created on the first step
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (var i = 0; i < 3; i++)
        {
            learner.Step(Batch, TrainStage.Offline);
            learner.Step(Batch, TrainStage.Online);
            var state = learner.Adapt(Batch[0]);
            using var scope = NewDisposeScope();
            learner.Logits(TaskTensors.ForScoring([], [0, 1]), state);
        }

        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Serving_adaptation_is_deterministic_and_leaves_the_model_unchanged()
    {
        using var model = new TinyModel(Embedding, [0.3f, -0.2f], 0.1f);
        using var learner = new MetaLearner(model, ["w", "b"], new MamlOptions { InnerSteps = 3, InnerLearningRate = 0.5f });
        var w = model["w"].data<float>().ToArray();

        var first = learner.Adapt(Batch[0]);
        var second = learner.Adapt(Batch[0]);

        Assert.Equal(3, first.Length); // w (2) + b (1)
        Assert.Equal(first, second);
        Assert.NotEqual(w, first[..2]);
        Assert.Equal(w, model["w"].data<float>().ToArray());
    }

    [Fact]
    public void Unknown_adaptive_names_and_bad_state_lengths_throw()
    {
        using var model = new TinyModel(Embedding, [0.3f, -0.2f], 0.1f);
        var error = Assert.Throws<ArgumentException>(() => new MetaLearner(model, ["w", "nope"], new MamlOptions()));
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);

        using var learner = new MetaLearner(model, ["w"], new MamlOptions());
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => learner.Logits(TaskTensors.ForScoring([], [0]), [1f, 2f, 3f]));
    }

    private static Dictionary<string, Tensor> Weights(TinyModel model, int tasks, string[] adaptive) =>
        model.NamedParameters.ToDictionary(
            p => p.Name,
            p => adaptive.Contains(p.Name) ? p.Parameter.unsqueeze(0).expand([tasks, .. p.Parameter.shape]) : (Tensor)p.Parameter);
}
