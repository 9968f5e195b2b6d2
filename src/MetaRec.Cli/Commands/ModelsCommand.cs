using System.CommandLine;
using System.Globalization;
using MetaRec.Core.Checkpoints;
using MetaRec.Storage.Registry;
using Spectre.Console;

namespace MetaRec.Cli.Commands;

/// <summary><c>metarec models list | show | register | promote | rollback</c> against the model registry.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "Inspect and change the model registry (folder or Azure Blob).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Register());
        command.Subcommands.Add(Promote());
        command.Subcommands.Add(Rollback());
        return command;
    }

    private static Command List()
    {
        var storage = new StorageCliOptions();
        var family = new Option<string?>("--family") { Description = "Only this family." };
        var command = new Command("list", "Families, their versions and the active one.") { family };
        storage.AddTo(command);
        command.SetAction((result, cancellation) => Run(async () =>
        {
            var registry = storage.Resolve(result).CreateRegistry();
            var families = result.GetValue(family) is { } one ? [one] : await registry.ListFamiliesAsync(cancellation);
            var table = new Table().AddColumns("family", "version", "active", "created", "weights", "metrics");
            foreach (var name in families)
            {
                var active = await registry.GetActiveAsync(name, cancellation);
                foreach (var m in await registry.ListVersionsAsync(name, cancellation))
                {
                    table.AddRow(
                        Markup.Escape(m.Family), Markup.Escape(m.Version), m.Version == active?.Version ? "yes" : string.Empty,
                        m.CreatedUtc.ToString("u", CultureInfo.InvariantCulture), m.WeightsBytes.ToString("N0", CultureInfo.InvariantCulture),
                        Markup.Escape(string.Join(", ", m.Metrics.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:F4}")))));
                }
            }
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var storage = new StorageCliOptions();
        var family = new Argument<string>("family");
        var version = new Argument<string>("version");
        var command = new Command("show", "One version's manifest.") { family, version };
        storage.AddTo(command);
        command.SetAction((result, cancellation) => Run(async () =>
        {
            var manifest = await storage.Resolve(result).CreateRegistry().GetManifestAsync(result.GetValue(family)!, result.GetValue(version)!, cancellation);
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(manifest, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }));
        return command;
    }

    private static Command Register()
    {
        var storage = new StorageCliOptions();
        var checkpoint = new Option<string>("--checkpoint") { Description = "A folder written by `metarec train`.", Required = true };
        var version = new Option<string>("--version") { Description = "Version name to register.", Required = true };
        var command = new Command("register", "Register a checkpoint folder (verified against its manifest) as a new version.") { checkpoint, version };
        storage.AddTo(command);
        command.SetAction((result, cancellation) => Run(async () =>
        {
            var stored = await RegisterCheckpointAsync(storage.Resolve(result).CreateRegistry(), result.GetValue(checkpoint)!, result.GetValue(version)!, cancellation);
            AnsiConsole.MarkupLine(Markup.Escape($"registered {stored.Family}/{stored.Version} ({stored.WeightsBytes:N0} bytes, sha256 {stored.WeightsSha256[..12]}…)"));
            return 0;
        }));
        return command;
    }

    /// <summary>Registers a checkpoint folder (its weights verified against its manifest) as a new version; shared with <c>train --register</c>.</summary>
    public static async Task<ModelManifest> RegisterCheckpointAsync(IModelRegistry registry, string folder, string version, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var local = CheckpointFolder.ReadManifest(folder);
        var weights = Path.Combine(folder, Path.GetFileName(local.Weights.File));
        if (CheckpointFolder.Sha256(weights) != local.Weights.Sha256)
        {
            throw new InvalidDataException($"{weights} does not match the SHA-256 in {folder}/manifest.json: refusing to register it");
        }
        await using var stream = File.OpenRead(weights);
        return await registry.RegisterAsync(
            new ModelManifest
            {
                Family = local.Family,
                Version = version,
                Settings = local.Settings,
                Metrics = local.Metrics,
                DataSnapshot = local.Data.Fingerprint,
                ItemIds = local.ItemIds ?? [],
            },
            stream,
            cancellation).ConfigureAwait(false);
    }

    private static Command Promote()
    {
        var storage = new StorageCliOptions();
        var family = new Argument<string>("family");
        var version = new Argument<string>("version");
        var command = new Command("promote", "Make a version active (weights verified first; fails if the pointer changed meanwhile).") { family, version };
        storage.AddTo(command);
        command.SetAction((result, cancellation) => Run(async () =>
        {
            var registry = storage.Resolve(result).CreateRegistry();
            var name = result.GetValue(family)!;
            var current = await registry.GetActiveAsync(name, cancellation);
            var active = await registry.PromoteAsync(name, result.GetValue(version)!, current?.ETag, cancellation);
            AnsiConsole.MarkupLine(Markup.Escape($"{name}: active {active.Version} (was {current?.Version ?? "none"})"));
            return 0;
        }));
        return command;
    }

    private static Command Rollback()
    {
        var storage = new StorageCliOptions();
        var family = new Argument<string>("family");
        var command = new Command("rollback", "Make the previously active version active again.") { family };
        storage.AddTo(command);
        command.SetAction((result, cancellation) => Run(async () =>
        {
            var registry = storage.Resolve(result).CreateRegistry();
            var name = result.GetValue(family)!;
            var current = await registry.GetActiveAsync(name, cancellation)
                ?? throw new InvalidOperationException($"family '{name}' has no active version");
            var active = await registry.RollbackAsync(name, current.ETag, cancellation);
            AnsiConsole.MarkupLine(Markup.Escape($"{name}: active {active.Version} (was {current.Version})"));
            return 0;
        }));
        return command;
    }

    /// <summary>Runs an async body with the CLI's error handling; registry conflicts and corrupt checkpoints exit 2 too.</summary>
    public static Task<int> Run(Func<Task<int>> body) => Task.FromResult(CliHost.Guard(() =>
    {
        try
        {
            return body().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is RegistryConflictException or CorruptCheckpointException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }));
}
