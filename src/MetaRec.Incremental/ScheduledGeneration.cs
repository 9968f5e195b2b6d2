using System.Globalization;
using MetaRec.Abstractions;
using MetaRec.Core.Training;
using MetaRec.Storage.Registry;

namespace MetaRec.Incremental;

/// <summary>What a generation run did, for logs and tests.</summary>
/// <param name="Generated">The generated version registered, if any.</param>
/// <param name="Promoted">Whether it became active.</param>
/// <param name="Lines">What happened, step by step.</param>
public sealed record GenerationOutcome(string? Generated, bool Promoted, IReadOnlyList<string> Lines);

/// <summary>
/// One scheduled generation (ASMG's serving path). With period checkpoints up to period t:
/// the generator (latest registered version, or a new one) is first brought up to date,
/// test-then-train, on every period it has not trained through (window of the k period models
/// before period p, scored on the periods after them) and registered as <c>through-p</c>; then
/// it generates from period models t−k+1..t the model for period t+1, both it and the active
/// model are scored on period t, and the generated model is registered with its lineage and
/// promoted (compare-and-swap) only when its AUC is higher, or nothing is active. Runs that
/// find their work done (generator trained, period t+1 generated) change nothing.
/// </summary>
public sealed class ScheduledGeneration(PeriodRegistry registry, IModelFamily family, IGeneratorFamily generatorFamily, IReadOnlyDictionary<string, string> generatorSettings, int seed = 1)
{
    public async Task<GenerationOutcome> RunAsync(Func<PeriodData> data, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var lines = new List<string>();
        var periods = await registry.ListAsync(family.Name, PeriodRegistry.PeriodRole, cancellation).ConfigureAwait(false);
        if (periods.Count == 0)
        {
            lines.Add($"no period checkpoints of {family.Name} yet: nothing to generate from");
            return new GenerationOutcome(null, false, lines);
        }
        var latest = periods[^1].Period;
        var generated = PeriodRegistry.GeneratedVersion(latest + 1);
        if (await registry.ExistsAsync(family.Name, generated, cancellation).ConfigureAwait(false))
        {
            lines.Add($"{family.Name}/{generated} already exists: nothing to do until period {latest + 1} is trained");
            return new GenerationOutcome(null, false, lines);
        }
        var byPeriod = periods.ToDictionary(p => p.Period, p => p.Manifest);

        var models = new Dictionary<int, IRecModel>();
        async Task<IRecModel> Model(int period) => models.TryGetValue(period, out var m) ? m : models[period] = await registry.LoadModelAsync(family, byPeriod[period].Version, cancellation).ConfigureAwait(false);
        IModelGenerator? generator = null;
        try
        {
            var (trainedThrough, generatorVersion) = await LatestGeneratorAsync(cancellation).ConfigureAwait(false);
            generator = generatorVersion is null
                ? generatorFamily.Create(await Model(latest).ConfigureAwait(false), generatorSettings, seed)
                : await registry.LoadAsync(generatorFamily.Name, generatorVersion, generatorFamily.Load, cancellation).ConfigureAwait(false);
            var k = generator.Info.Window;
            if (!Enumerable.Range(latest - k + 1, k).All(byPeriod.ContainsKey))
            {
                lines.Add($"generation needs the period checkpoints {latest - k + 1}-{latest} of {family.Name}; have {string.Join(", ", byPeriod.Keys)}");
                return new GenerationOutcome(null, false, lines);
            }
            var periodData = data(); // read only once there is work to do

            // Test-then-train on each period the generator has not learned from yet.
            for (var p = Math.Max(trainedThrough + 1, periods[0].Period + k); p <= latest; p++)
            {
                if (!Enumerable.Range(p - k, k).All(byPeriod.ContainsKey))
                {
                    continue;
                }
                var window = new List<IRecModel>();
                for (var q = p - k; q < p; q++)
                {
                    window.Add(await Model(q).ConfigureAwait(false));
                }
                var loss = GeneratorStep.Train(generator, window, p, periodData.Period);
                var version = PeriodRegistry.GeneratorVersion(p);
                await registry.RegisterAsync(
                    new ModelManifest
                    {
                        Family = generatorFamily.Name,
                        Version = version,
                        Settings = generator.Info.Settings,
                        Metrics = new Dictionary<string, double> { ["train_loss"] = loss },
                        DataSnapshot = periodData.Fingerprint,
                        Parents = generatorVersion is null ? [] : [generatorVersion],
                        Period = p.ToString(CultureInfo.InvariantCulture),
                        Role = PeriodRegistry.GeneratorRole,
                    },
                    generator.Save,
                    cancellation).ConfigureAwait(false);
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"trained {generatorFamily.Name} on period {p} (models {p - k}-{p - 1}): loss {loss:F4}; registered {generatorFamily.Name}/{version}"));
                generatorVersion = version;
                ReleaseBefore(models, p - k + 1);
            }

            var inputs = new List<IRecModel>();
            for (var q = latest - k + 1; q <= latest; q++)
            {
                inputs.Add(await Model(q).ConfigureAwait(false));
            }
            using var candidate = generator.Generate(inputs);
            var evaluation = periodData.Period(latest);
            var score = IncrementalTraining.Test(candidate, evaluation, latest - 1);
            var metrics = new Dictionary<string, double> { ["auc"] = score.Auc, ["logloss"] = score.LogLoss };
            var active = await registry.Registry.GetActiveAsync(family.Name, cancellation).ConfigureAwait(false);
            PeriodResult? incumbent = null;
            if (active is not null)
            {
                using var current = await registry.LoadModelAsync(family, active.Version, cancellation).ConfigureAwait(false);
                incumbent = IncrementalTraining.Test(current, evaluation, latest - 1);
                metrics["active_auc"] = incumbent.Auc;
                metrics["active_logloss"] = incumbent.LogLoss;
            }
            await registry.RegisterAsync(
                new ModelManifest
                {
                    Family = family.Name,
                    Version = generated,
                    Settings = candidate.Info.Settings,
                    Metrics = metrics,
                    DataSnapshot = periodData.Fingerprint,
                    Parents = [.. Enumerable.Range(latest - k + 1, k).Select(q => byPeriod[q].Version)],
                    Period = (latest + 1).ToString(CultureInfo.InvariantCulture),
                    Role = PeriodRegistry.GeneratedRole,
                    Generator = generatorVersion is null ? $"{generatorFamily.Name} (untrained)" : $"{generatorFamily.Name}/{generatorVersion}",
                    ItemIds = byPeriod[latest].ItemIds,
                },
                candidate.Save,
                cancellation).ConfigureAwait(false);
            var comparison = incumbent is null
                ? string.Create(CultureInfo.InvariantCulture, $"AUC {score.Auc:F4} on period {latest}; nothing active")
                : string.Create(CultureInfo.InvariantCulture, $"AUC {score.Auc:F4} vs active {active!.Version} {incumbent.Auc:F4} on period {latest} (log loss {score.LogLoss:F4} vs {incumbent.LogLoss:F4})");
            lines.Add($"generated {family.Name}/{generated} from {string.Join(", ", Enumerable.Range(latest - k + 1, k).Select(q => byPeriod[q].Version))} with {generatorFamily.Name}/{generatorVersion ?? "(untrained)"}: {comparison}");
            if (incumbent is not null && score.Auc <= incumbent.Auc)
            {
                lines.Add($"not promoted: {generated} does not beat the active {active!.Version}");
                return new GenerationOutcome(generated, false, lines);
            }
            await registry.Registry.PromoteAsync(family.Name, generated, active?.ETag, cancellation).ConfigureAwait(false);
            lines.Add($"promoted {family.Name}/{generated} (was {active?.Version ?? "none"})");
            return new GenerationOutcome(generated, true, lines);
        }
        finally
        {
            generator?.Dispose();
            foreach (var model in models.Values)
            {
                model.Dispose();
            }
        }
    }

    private async Task<(int TrainedThrough, string? Version)> LatestGeneratorAsync(CancellationToken cancellation)
    {
        var versions = await registry.ListAsync(generatorFamily.Name, PeriodRegistry.GeneratorRole, cancellation).ConfigureAwait(false);
        return versions.Count == 0 ? (int.MinValue, null) : (versions[^1].Period, versions[^1].Manifest.Version);
    }

    private static void ReleaseBefore(Dictionary<int, IRecModel> models, int period)
    {
        foreach (var old in models.Keys.Where(p => p < period).ToList())
        {
            models[old].Dispose();
            models.Remove(old);
        }
    }
}
