using System.CommandLine;
using System.Globalization;
using MetaRec.Core.Checkpoints;
using MetaRec.Core.Data;
using MetaRec.Core.Evaluation;
using MetaRec.Core.Protocols;
using MetaRec.Core.Training;
using MetaRec.Storage.Registry;
using MetaRec.Storage.Snapshots;
using Spectre.Console;

namespace MetaRec.Cli.Commands;

/// <summary>
/// <c>metarec train</c>: offline training of one family; writes a checkpoint folder
/// (manifest.json with settings, metrics, data fingerprint and the weights' SHA-256, and model.bin).
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var family = new Option<string>("--family") { Description = "Model family (see `metarec families`).", DefaultValueFactory = _ => "mpp" };
        var output = new Option<string>("--out") { Description = "Checkpoint folder to write.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the split and the model.", DefaultValueFactory = _ => 1 };
        var snapshot = new Option<string?>("--snapshot") { Description = "A snapshot manifest file: train on the data it names, refusing if that data changed. Instead of --data." };
        var snapshotRun = new Option<string?>("--snapshot-run") { Description = "A training run whose data snapshot is in storage (the pipeline's jobs): copy it from there and train on it, refusing if it is not the data the run saw. Instead of --data; needs the storage options." };
        var register = new Option<string?>("--register") { Description = "Also register the checkpoint in the model registry as this version (unpromoted); the training pipeline's jobs hand their checkpoint over this way." };
        var storage = new StorageCliOptions();
        var training = new TrainingOptions();
        var command = new Command("train", "Train one model family and write a checkpoint folder.") { data, family, output, seed, snapshot, snapshotRun, register };
        training.AddTo(command);
        storage.AddTo(command);
        command.SetAction((result, cancellation) => Task.FromResult(CliHost.Guard(() =>
        {
            var protocolName = training.Protocol(result);
            var registry = result.GetValue(register) is { } version ? (Version: StorageNames.Version(version), Registry: storage.Resolve(result).CreateRegistry()) : default;
            var splitOptions = training.Split(result, result.GetValue(seed));
            var trainer = training.Trainer(result, result.GetValue(seed));
            var backend = training.Backend(result);
            var catalog = CliHost.Start(training.Threads(result), backend, out var runtime);
            var selected = catalog.Get(result.GetValue(family)!);
            var snapshotPath = result.GetValue(snapshot);
            var runId = result.GetValue(snapshotRun);
            if (new[] { snapshotPath is not null, runId is not null, result.GetResult(data) is { Implicit: false } }.Count(given => given) > 1)
            {
                throw new ArgumentException("--snapshot, --snapshot-run and --data each name the data: give one of them");
            }
            // The snapshot the data comes from, if any: its path (where the data was read, for the
            // checkpoint's record) and its fingerprint, which the copy read here was checked against.
            var source = snapshotPath is null ? null : SnapshotFile.Read(snapshotPath);
            InteractionDataset dataset;
            if (runId is not null)
            {
                (source, dataset) = ReadSnapshotRun(storage.Resolve(result).CreateSnapshotStore(), runId, cancellation);
            }
            else
            {
                dataset = source is null ? CliHost.ReadDataset(result.GetValue(data)!) : SnapshotFile.Open(source);
            }
            var dataPath = source?.Path ?? result.GetValue(data)!;
            var split = Protocol.Split(protocolName, dataset, splitOptions);
            var given = CommonOptions.SettingsFor(selected.Name, training.Settings(result));
            var model = selected.Create(split.Catalogue, given, result.GetValue(seed));

            FitResult fit = null!;
            AnsiConsole.Progress().AutoClear(false).Start(context =>
            {
                var task = context.AddTask($"train {selected.Name}");
                fit = Trainer.Fit(selected, model, split, trainer, new SyncProgress<TrainingProgress>(p =>
                {
                    task.MaxValue = p.Epochs * p.Steps;
                    task.Value = ((p.Epoch - 1) * p.Steps) + p.Step;
                    task.Description = p.Validation is { } v ? $"train {selected.Name} (epoch {p.Epoch}, validation {v:F4})" : task.Description;
                }), cancellation);
            });
            using var trained = fit.Model;
            if (fit.Cancelled)
            {
                AnsiConsole.MarkupLine("[yellow]cancelled: writing the best epoch so far[/]");
            }
            var test = Evaluator.Summarize(ModelEvaluation.Outcomes(trained, split.Test, rankCatalogue: true));
            var throughput = fit.ExamplesPerSecond;
            AnsiConsole.MarkupLine(Markup.Escape($"training on {runtime.Device}: {throughput:N0} examples/s (median over epochs{(fit.History.Count > 1 ? " after the first" : string.Empty)}; {string.Join(", ", fit.History.Select(e => e.ExamplesPerSecond.ToString("N0", CultureInfo.InvariantCulture)))})"));
            var folder = result.GetValue(output)!;
            var manifest = CheckpointFolder.Write(folder, trained, weights => new CheckpointManifest(
                selected.Name,
                DateTimeOffset.UtcNow,
                trained.Info.Settings,
                new Dictionary<string, string>
                {
                    ["epochs"] = Invariant(trainer.Epochs), ["bestEpoch"] = Invariant(fit.BestEpoch), ["batchSize"] = Invariant(trainer.BatchSize),
                    ["patience"] = Invariant(trainer.Patience), ["selection"] = trainer.SelectionMetric, ["seed"] = Invariant(trainer.Seed),
                    ["cancelled"] = fit.Cancelled ? "true" : "false", ["device"] = runtime.Device,
                    ["examplesPerSecond"] = throughput.ToString("F0", CultureInfo.InvariantCulture),
                },
                new DataSnapshot(Path.GetFullPath(dataPath), source?.Fingerprint ?? DatasetFingerprint.Compute(dataset), dataset.UserCount, dataset.ItemCount, dataset.Interactions.Count, protocolName, splitOptions.Seed)
                {
                    Sources = source?.Sources,
                },
                new Dictionary<string, double>
                {
                    ["validation." + trainer.SelectionMetric] = fit.BestValidation,
                    ["test.auc"] = test.Auc, ["test.gauc"] = test.Gauc, ["test.logloss"] = test.LogLoss,
                    ["test.ndcg@3"] = test.NdcgAt3, ["test.ndcg@5"] = test.NdcgAt5,
                    ["test.catalogue-hr@10"] = test.CatalogueHrAt10, ["test.catalogue-ndcg@10"] = test.CatalogueNdcgAt10,
                },
                trained.Info.TotalParameters,
                trained.Info.AdaptiveParameters,
                weights)
            {
                ItemIds = dataset.ItemIds,
            });
            AnsiConsole.MarkupLine(Markup.Escape(
                $"wrote {folder}: {manifest.Family}, best epoch {fit.BestEpoch}, test AUC {test.Auc:F4}, GAUC {test.Gauc:F4}, weights sha256 {manifest.Weights.Sha256[..12]}…"));
            if (fit.Cancelled)
            {
                return 130;
            }
            if (registry.Registry is not null)
            {
                ModelManifest stored;
                try
                {
                    stored = ModelsCommand.RegisterCheckpointAsync(registry.Registry, folder, registry.Version, cancellation).GetAwaiter().GetResult();
                }
                catch (RegistryConflictException e)
                {
                    throw new InvalidOperationException($"--register: {e.Message}", e);
                }
                AnsiConsole.MarkupLine(Markup.Escape($"registered {stored.Family}/{stored.Version} (not promoted)"));
            }
            return 0;
        })));
        return command;
    }

    /// <summary>A run's data snapshot from storage: its manifest as stored and the data, checked against it.</summary>
    private static (DataSnapshot Manifest, InteractionDataset Dataset) ReadSnapshotRun(ISnapshotStore store, string runId, CancellationToken cancellation)
    {
        try
        {
            var (manifest, dataset) = store.ReadAsync(runId, copy => SnapshotFile.OpenCopy(copy.Manifest, copy.DataPath, $"run {runId}'s snapshot manifest"), cancellation).GetAwaiter().GetResult();
            AnsiConsole.MarkupLine(Markup.Escape($"data snapshot of {runId}: {manifest.Path}, fingerprint {manifest.Fingerprint[..12]}"));
            return (manifest, dataset);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--snapshot-run: {e.Message}", e);
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
