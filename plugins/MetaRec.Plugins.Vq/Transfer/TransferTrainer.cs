using System.Globalization;
using MetaRec.Abstractions;
using MetaRec.Core.Evaluation;
using MetaRec.Core.Optimization;
using MetaRec.Core.Tensors;
using MetaRec.Plugins.Vq.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace MetaRec.Plugins.Vq.Transfer;

/// <summary>The ways a target model is trained, all on the same backbone.</summary>
internal enum TransferMethod
{
    /// <summary>The target domain alone.</summary>
    TargetOnly,

    /// <summary>Every domain at once: the encoder shared, an item table per domain.</summary>
    Joint,

    /// <summary>Pre-train the encoder on the sources, then train on the target.</summary>
    PretrainFinetune,

    /// <summary>Meta steps with VQ and uniform source weights, then fine-tuning.</summary>
    MetaUniform,

    /// <summary>Meta steps with rescaled source weights, source items unquantized, then fine-tuning.</summary>
    MetaNoVq,

    /// <summary>MetaRec VQ: meta steps with VQ and rescaled source weights, then fine-tuning.</summary>
    MetaVq,
}

/// <summary>
/// Trains a target model from a <see cref="TransferTask"/> by one <see cref="TransferMethod"/>.
/// Every stage that touches the target is selected on NDCG@10 over the same seeded subset of
/// target validation cases (early stopping with patience; the best weights are kept).
/// </summary>
internal sealed class TransferTrainer : IDisposable
{
    private readonly TransferTask _task;
    private readonly SequenceSettings _model;
    private readonly TransferSettings _settings;
    private readonly IProgress<TransferProgress>? _progress;
    private readonly CancellationToken _cancellation;
    private readonly Random _random;
    private readonly NextItemCase[] _validation;
    private readonly Scalar _commitment;
    private readonly Scalar _codebookWeight;
    private readonly Scalar _sourceWeight;
    private double? _lastValidation;
    private readonly int _seed;

    public TransferTrainer(TransferTask task, SequenceSettings model, TransferSettings settings, int seed, IProgress<TransferProgress>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        _task = task;
        _model = model;
        _settings = settings;
        _progress = progress;
        _cancellation = cancellation;
        _random = new Random(seed);
        _validation = [.. task.Validation];
        if (settings.ValidationUsers > 0 && _validation.Length > settings.ValidationUsers)
        {
            new Random(seed).Shuffle(_validation);
            _validation = _validation[..settings.ValidationUsers];
        }
        if (_validation.Length == 0)
        {
            throw new ArgumentException("the target has no validation cases to select on", nameof(task));
        }
        _commitment = ((double)settings.Commitment).ToScalar();
        _codebookWeight = ((double)settings.CodebookWeight).ToScalar();
        _sourceWeight = ((double)settings.SourceWeight).ToScalar();
        _seed = seed;
    }

    public SequentialModel Run(TransferMethod method)
    {
        var needsSources = method != TransferMethod.TargetOnly;
        if (needsSources && _task.Sources.Count == 0)
        {
            throw new ArgumentException($"method {method} needs at least one source domain");
        }
        var target = _task.Target;
        // One generator for the whole run, the model's: its initial weights, then the sources'
        // tables, then every dropout mask and negative, in that order.
        var model = new SequentialModel(_model, new Catalogue(new FeatureSchema(target.ItemCount, 0, []), []), _seed);
        var sources = needsSources ? _task.Sources.Select(s => new SourceDomain(s, _model, _random, model.Network.Random)).ToList() : [];
        try
        {
            switch (method)
            {
                case TransferMethod.TargetOnly:
                    TrainOnTarget(model, "target", validateFirst: false);
                    break;
                case TransferMethod.Joint:
                    TrainJointly(model, sources);
                    break;
                case TransferMethod.PretrainFinetune:
                    Pretrain(model, sources);
                    TrainOnTarget(model, "fine-tune", validateFirst: true);
                    break;
                default:
                    MetaTrain(model, sources, vq: method != TransferMethod.MetaNoVq, method == TransferMethod.MetaUniform ? SourceWeighting.Uniform : SourceWeighting.Rescaled);
                    TrainOnTarget(model, "fine-tune", validateFirst: true);
                    break;
            }
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var source in sources)
            {
                source.Dispose();
            }
        }
    }

    /// <summary>
    /// Next-item training on the target, at most <see cref="TransferSettings.Epochs"/> epochs,
    /// validated every <see cref="TransferSettings.ValidateEvery"/> steps and at the end, early stopping.
    /// </summary>
    private void TrainOnTarget(SequentialModel model, string stage, bool validateFirst)
    {
        var batches = new DomainBatches(_task.Target.Sequences, _model.BatchSize, _model.MaxLength, _random);
        using var best = new BestWeights(model.Network);
        if (validateFirst)
        {
            best.Offer(Validate(model));
        }
        var total = _settings.Epochs * batches.BatchesPerEpoch;
        for (var step = 1; step <= total && best.Stale < _settings.Patience; step++)
        {
            _cancellation.ThrowIfCancellationRequested();
            model.TrainStep(batches.Next());
            Report(stage, step, total);
            if (step % _settings.ValidateEvery == 0 || step == total)
            {
                best.Offer(Validate(model));
            }
        }
        best.Restore();
    }

    /// <summary>
    /// Every domain at once, balanced: each round trains one batch of every domain (the target
    /// among them, each with its own item table, the encoder shared), so a small target is not
    /// drowned by large sources. An epoch is as many rounds as the largest domain has batches;
    /// validated every <see cref="TransferSettings.ValidateEvery"/> rounds, early stopping.
    /// </summary>
    private void TrainJointly(SequentialModel model, List<SourceDomain> sources)
    {
        var network = model.Network;
        var target = new DomainBatches(_task.Target.Sequences, _model.BatchSize, _model.MaxLength, _random);
        using var optimizer = new Adam([.. network.NamedParameters.Select(p => p.Parameter), .. sources.Select(s => s.Items)], _model.LearningRate, _model.WeightDecay);
        using var best = new BestWeights(network);
        var total = _settings.JointEpochs * Math.Max(target.BatchesPerEpoch, sources.Max(s => s.Batches.BatchesPerEpoch));
        for (var round = 1; round <= total && best.Stale < _settings.Patience; round++)
        {
            for (var domain = -1; domain < sources.Count; domain++)
            {
                _cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var weights = network.Weights();
                var loss = domain < 0
                    ? TargetLoss(network, weights, SequenceBatch.ForTraining(target.Next(), _model.MaxLength))
                    : SourceLoss(network, weights, sources[domain], sources[domain].Items, SequenceBatch.ForTraining(sources[domain].Batches.Next(), _model.MaxLength), vq: false);
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.Step();
            }
            Report("joint", round, total);
            if (round % _settings.ValidateEvery == 0 || round == total)
            {
                best.Offer(Validate(model));
            }
        }
        best.Restore();
    }

    /// <summary>Epochs over the sources only: encoder and source tables learn, the target table is untouched.</summary>
    private void Pretrain(SequentialModel model, List<SourceDomain> sources)
    {
        var network = model.Network;
        using var optimizer = new Adam([.. network.EncoderParameters.Select(p => p.Parameter), .. sources.Select(s => s.Items)], _model.LearningRate, _model.WeightDecay);
        var perEpoch = sources.Sum(s => s.Batches.BatchesPerEpoch);
        var done = 0;
        for (var epoch = 0; epoch < _settings.SourceEpochs; epoch++)
        {
            var stream = sources.SelectMany((s, i) => s.Batches.Epoch().Select(b => (Domain: i, Batch: b))).ToArray();
            _random.Shuffle(stream);
            foreach (var (domain, batch) in stream)
            {
                _cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var loss = SourceLoss(network, network.Weights(), sources[domain], sources[domain].Items, SequenceBatch.ForTraining(batch, _model.MaxLength), vq: false);
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.Step();
                Report("pre-train", ++done, _settings.SourceEpochs * perEpoch);
            }
        }
    }

    /// <summary>
    /// Meta steps (<see cref="MetaStep"/>): θ = the encoder and the target table. Each step draws a
    /// batch of every source and one target batch; θ moves by Adam on Σ wᵢ gᵢ + λ Σ wᵢ ∇θ L_srcᵢ,
    /// each source table by Adam on its own source gradient. Validated every
    /// <see cref="TransferSettings.ValidateEvery"/> steps; the best θ is kept.
    /// </summary>
    private void MetaTrain(SequentialModel model, List<SourceDomain> sources, bool vq, SourceWeighting weighting)
    {
        var network = model.Network;
        var names = network.NamedParameters.Select(p => p.Name).ToArray();
        var theta = network.NamedParameters.Select(p => p.Parameter).ToArray();
        var target = new DomainBatches(_task.Target.Sequences, _model.BatchSize, _model.MaxLength, _random);
        var options = new MetaOptions(_settings.InnerSteps, _settings.InnerLearningRate, _settings.FirstOrder, _settings.Temperature, _settings.Sign, weighting);
        using var optimizer = new Adam(theta, _model.LearningRate, _model.WeightDecay);
        using var best = new BestWeights(network);
        var weightSums = new double[sources.Count];
        var counted = 0;
        Dictionary<string, Tensor> Named(IReadOnlyList<Tensor> values) =>
            names.Select((n, i) => (n, values[i])).ToDictionary(p => p.n, p => p.Item2, StringComparer.Ordinal);
        for (var step = 0; step < _settings.MetaSteps && best.Stale < _settings.Patience; step++)
        {
            _cancellation.ThrowIfCancellationRequested();
            if (vq && step % _settings.VqRefresh == 0)
            {
                foreach (var source in sources)
                {
                    source.Assign(network.Weights()[SequenceNetwork.Items], _settings.VqHeads);
                }
            }
            using (var scope = NewDisposeScope())
            {
                var targetBatch = SequenceBatch.ForTraining(target.Next(), _model.MaxLength);
                var metaSources = sources.Select(source =>
                {
                    var batch = SequenceBatch.ForTraining(source.Batches.Next(), _model.MaxLength);
                    return new MetaSource([source.Items], (shared, own) => SourceLoss(network, Named(shared), source, own[0], batch, vq));
                }).ToList();
                var result = MetaStep.Run(theta, metaSources, shared => TargetLoss(network, Named(shared), targetBatch), options);
                var update = result.MetaGradient.Zip(result.SourceGradient, (g, s) => _settings.SourceWeight > 0 ? g.add(s, _sourceWeight) : g).ToArray();
                optimizer.ZeroGrad();
                Surrogate(theta, update).backward();
                optimizer.Step();
                for (var i = 0; i < sources.Count; i++)
                {
                    sources[i].Optimizer.ZeroGrad();
                    Surrogate([sources[i].Items], result.OwnGradients[i]).backward();
                    sources[i].Optimizer.Step();
                    weightSums[i] += result.Weights[i];
                }
                counted++;
            }
            var mean = string.Join("/", weightSums.Select(w => (w / counted).ToString("0.00", CultureInfo.InvariantCulture)));
            Report($"meta (mean w {mean})", step + 1, _settings.MetaSteps);
            if ((step + 1) % _settings.ValidateEvery == 0)
            {
                best.Offer(Validate(model));
            }
        }
        best.Restore();
    }

    /// <summary>Σ ⟨p, g⟩ over detached g: its backward leaves exactly g in each p's gradient.</summary>
    private static Tensor Surrogate(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients)
    {
        var total = parameters[0].mul(gradients[0].detach()).sum();
        for (var i = 1; i < parameters.Count; i++)
        {
            total = total.add(parameters[i].mul(gradients[i].detach()).sum(), Scalars.One);
        }
        return total;
    }

    /// <summary>Next-item loss on a target batch with <paramref name="weights"/> (the target table among them).</summary>
    private Tensor TargetLoss(SequenceNetwork network, IReadOnlyDictionary<string, Tensor> weights, SequenceBatch batch)
    {
        var table = weights[SequenceNetwork.Items];
        var hidden = network.Encode(SequenceNetwork.Lookup(table, batch.Items), batch, weights, training: true);
        return NextItemObjective.Loss(hidden, batch, table, _model.Loss, _model.Negatives, network.Random);
    }

    /// <summary>
    /// Next-item loss on a source batch: the shared encoder from <paramref name="weights"/> reads the
    /// source's item vectors <paramref name="items"/>, quantized into the target table (the
    /// codebook, also from <paramref name="weights"/>) with straight-through under VQ, plus the
    /// codebook and commitment losses of the batch's items.
    /// </summary>
    private Tensor SourceLoss(SequenceNetwork network, IReadOnlyDictionary<string, Tensor> weights, SourceDomain source, Tensor items, SequenceBatch batch, bool vq)
    {
        var table = items;
        Tensor? extra = null;
        if (vq)
        {
            var codes = source.Codes ?? throw new InvalidOperationException($"source {source.Name} has no codes yet");
            var codebook = weights[SequenceNetwork.Items];
            table = VectorQuantizer.StraightThrough(items, VectorQuantizer.Quantize(codebook, codes, _settings.VqHeads));
            var used = items.index_select(0, batch.UsedItems);
            var quantized = VectorQuantizer.Quantize(codebook, codes.index_select(0, batch.UsedItems), _settings.VqHeads);
            extra = VectorQuantizer.CodebookLoss(used, quantized).mul(_codebookWeight)
                .add(VectorQuantizer.CommitmentLoss(used, quantized), _commitment);
        }
        var hidden = network.Encode(SequenceNetwork.Lookup(table, batch.Items), batch, weights, training: true);
        var loss = NextItemObjective.Loss(hidden, batch, table, _model.Loss, _model.Negatives, network.Random);
        return extra is null ? loss : loss.add(extra, Scalars.One);
    }

    private double Validate(SequentialModel model)
    {
        _cancellation.ThrowIfCancellationRequested();
        var value = NextItemRanking.Evaluate(model, _validation, cancellation: _cancellation).Ndcg10;
        _lastValidation = value;
        return value;
    }

    private void Report(string stage, int done, int total) => _progress?.Report(new TransferProgress(stage, done, total, _lastValidation));

    public void Dispose()
    {
        _commitment.Dispose();
        _codebookWeight.Dispose();
        _sourceWeight.Dispose();
    }
}
