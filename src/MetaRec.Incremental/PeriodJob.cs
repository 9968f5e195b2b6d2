using System.Globalization;
using MetaRec.Abstractions;
using MetaRec.Core.Training;
using MetaRec.Storage.Registry;

namespace MetaRec.Incremental;

/// <summary>What a period job did.</summary>
public sealed record PeriodJobResult(ModelManifest Manifest, bool AlreadyRegistered, string Summary);

/// <summary>
/// The incremental-update job, one period at a time, as the pipeline or a schedule runs it:
/// period P (the last pretraining period) pretrains a new model on periods 1..P; period N > P
/// loads period N−1's checkpoint, scores it on period N first (test-then-train: the metric a
/// generated model competes with), trains one epoch on period N and registers
/// <c>period-N</c> with its parent. Idempotent: a period already registered is left alone.
/// </summary>
public sealed class PeriodJob(PeriodRegistry registry, IModelFamily family, IReadOnlyDictionary<string, string> settings, int batch = 512, int seed = 1)
{
    public async Task<PeriodJobResult> RunAsync(PeriodData data, int period, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var options = data.Split.Options;
        if (period < options.PretrainPeriods || period > data.Split.Periods.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"period must be from {options.PretrainPeriods} (the last pretraining period) to {data.Split.Periods.Count}");
        }
        var version = PeriodRegistry.PeriodVersion(period);
        if (await registry.ExistsAsync(family.Name, version, cancellation).ConfigureAwait(false))
        {
            var existing = await registry.Registry.GetManifestAsync(family.Name, version, cancellation).ConfigureAwait(false);
            return new PeriodJobResult(existing, true, $"{family.Name}/{version} is already registered; nothing to do");
        }

        IRecModel model;
        var metrics = new Dictionary<string, double>();
        IReadOnlyList<string> parents = [];
        if (period == options.PretrainPeriods)
        {
            model = IncrementalTraining.Pretrain(family, settings, data.Split, batch, seed, cancellation);
        }
        else
        {
            var previous = PeriodRegistry.PeriodVersion(period - 1);
            if (!await registry.ExistsAsync(family.Name, previous, cancellation).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"period {period} trains from {family.Name}/{previous}, which is not registered: run period {period - 1} first");
            }
            model = await registry.LoadModelAsync(family, previous, cancellation).ConfigureAwait(false);
            var before = IncrementalTraining.Test(model, data.Period(period), period - 1);
            metrics["auc_before"] = before.Auc;
            metrics["logloss_before"] = before.LogLoss;
            metrics["train_loss"] = IncrementalTraining.TrainEpoch(model, [data.Period(period)], batch, seed + period, cancellation);
            parents = [previous];
        }
        using (model)
        {
            var manifest = new ModelManifest
            {
                Family = family.Name,
                Version = version,
                Settings = model.Info.Settings,
                Metrics = metrics,
                DataSnapshot = data.Fingerprint,
                Parents = parents,
                Period = period.ToString(CultureInfo.InvariantCulture),
                Role = PeriodRegistry.PeriodRole,
                ItemIds = data.Dataset.ItemIds,
            };
            try
            {
                var stored = await registry.RegisterAsync(manifest, model.Save, cancellation).ConfigureAwait(false);
                var summary = metrics.Count == 0
                    ? $"pretrained {family.Name}/{version} on periods 1-{period}"
                    : string.Create(CultureInfo.InvariantCulture, $"trained {family.Name}/{version} from {parents[0]}: AUC on period {period} before training {metrics["auc_before"]:F4}, training loss {metrics["train_loss"]:F4}");
                return new PeriodJobResult(stored, false, summary);
            }
            catch (RegistryConflictException)
            {
                // Another run registered the same period meanwhile: its copy stands.
                var existing = await registry.Registry.GetManifestAsync(family.Name, version, cancellation).ConfigureAwait(false);
                return new PeriodJobResult(existing, true, $"{family.Name}/{version} was registered by another run meanwhile; kept that one");
            }
        }
    }
}
