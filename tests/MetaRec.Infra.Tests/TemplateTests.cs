using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace MetaRec.Infra.Tests;

/// <summary>
/// The compiled template against the app: its settings (local.settings.sample.json lists every
/// one), the roles its code needs, the Service Bus entity, and the training job the aca launcher
/// drives with the image infra/training builds.
/// </summary>
public sealed partial class TemplateTests(CompiledTemplate compiled, ITestOutputHelper output) : IClassFixture<CompiledTemplate>
{
    /// <summary>Sample settings the Function App does not get, each with the reason.</summary>
    private static readonly Dictionary<string, string> LocalOnly = new(StringComparer.Ordinal)
    {
        ["AzureWebJobsStorage"] = "a connection string: AzureWebJobsStorage__accountName, __credential and __clientId (the identity) replace it",
        ["MetaRec__Storage__ConnectionString"] = "a key: MetaRec__Storage__BlobServiceUrl and TableServiceUrl with DefaultAzureCredential replace it",
        ["MetaRec__Storage__Folder"] = "folder backend only; this deployment uses the azure backend",
        ["MetaRec__ServiceBus__ConnectionString"] = "a SAS key: MetaRec__ServiceBus__FullyQualifiedNamespace with the identity replaces it (the namespace has local auth off)",
        ["MetaRec__Auth__ApiKey"] = "standalone host only: under the Functions host, function keys guard the routes",
        ["MetaRec__Auth__Header"] = "standalone host only, as MetaRec__Auth__ApiKey",
        ["MetaRec__Timers__Enabled"] = "standalone host only: under the Functions host its timer triggers run the timer functions",
        ["MetaRec__Timers__TimeZone"] = "standalone host only: the Functions host reads WEBSITE_TIME_ZONE",
        ["MetaRec__Generation__Schedule"] = "standalone host only: the host's timer trigger reads GenerationSchedule",
        ["MetaRec__Generation__RunOnStartup"] = "standalone host only",
        ["MetaRec__Training__MetarecDll"] = "local launcher only; this deployment uses aca",
        ["MetaRec__Training__JobsFolder"] = "local launcher only",
        ["MetaRec__Training__LibTorch"] = "local launcher only; the CUDA image brings its libtorch",
    };

    /// <summary>Whole sections of the sample the Function App does not get.</summary>
    private static readonly Dictionary<string, string> LocalOnlyPrefixes = new(StringComparer.Ordinal)
    {
        ["MetaRec__Standalone__"] = "standalone host only (its own queue trigger and dead-letter queue)",
        ["MetaRec__Durable__"] = "the standalone host's Durable Task Framework backend only; the Functions host's comes from host.json on AzureWebJobsStorage",
    };

    /// <summary>Settings the Function App gets that the platform or an SDK reads, not the app's options.</summary>
    private static readonly Dictionary<string, string> PlatformSettings = new(StringComparer.Ordinal)
    {
        ["FUNCTIONS_EXTENSION_VERSION"] = "Functions runtime version",
        ["WEBSITE_RUN_FROM_PACKAGE"] = "the package URL the app runs from (no Azure Files share)",
        ["WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"] = "the identity that fetches the package",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "Application Insights (an ingestion endpoint, not an auth key)",
        ["AZURE_CLIENT_ID"] = "DefaultAzureCredential picks the user-assigned identity by it",
        ["AzureWebJobsStorage__accountName"] = "host storage with an identity",
        ["AzureWebJobsStorage__credential"] = "host storage with an identity",
        ["AzureWebJobsStorage__clientId"] = "host storage with the user-assigned identity",
    };

    /// <summary>App settings missing from the sample that the app reads: where its options declare each.</summary>
    private static readonly Dictionary<string, (string File, string Declaration)> ReadOutsideSample = new(StringComparer.Ordinal)
    {
        ["MetaRec__Storage__BlobServiceUrl"] = ("src/MetaRec.Storage/StorageOptions.cs", "public Uri? BlobServiceUrl { get; init; }"),
        ["MetaRec__Storage__TableServiceUrl"] = ("src/MetaRec.Storage/StorageOptions.cs", "public Uri? TableServiceUrl { get; init; }"),
    };

    /// <summary>Built-in roles the code needs, by id (the Azure built-in roles page), and the resource type each is assigned on.</summary>
    private static readonly (string Id, string Name, string Scope)[] RequiredRoles =
    [
        ("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Storage Blob Data Owner", "Microsoft.Storage/storageAccounts"),
        ("974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Storage Queue Data Contributor", "Microsoft.Storage/storageAccounts"),
        ("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Storage Table Data Contributor", "Microsoft.Storage/storageAccounts"),
        ("4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", "Azure Service Bus Data Receiver", "Microsoft.ServiceBus/namespaces/queues"),
        ("7f951dda-4ed3-4680-a7ca-43fe172d538d", "AcrPull", "Microsoft.ContainerRegistry/registries"),
    ];

    /// <summary>Roles the identity must not have: the app never sends to Service Bus.</summary>
    private static readonly (string Id, string Name)[] UnneededRoles =
    [
        ("69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", "Azure Service Bus Data Sender"),
        ("090c5cfd-751d-490a-894a-3ce6f1109419", "Azure Service Bus Data Owner"),
    ];

    /// <summary>What ContainerAppsJobLauncher calls on the job: read it, start it, list and read executions, stop one.</summary>
    private static readonly string[] JobActions =
    [
        "Microsoft.App/jobs/read",
        "Microsoft.App/jobs/start/action",
        "Microsoft.App/jobs/execution/read",
        "Microsoft.App/jobs/executions/read",
        "Microsoft.App/jobs/stop/execution/action",
    ];

    private JsonObject AppSettings => compiled.ModuleNamed("functionapp").Parameters["appSettings"]!["value"]!.AsObject();

    private string? Setting(string name) => CompiledTemplate.Text(compiled.ResolveMain(AppSettings[name]));

    [Fact]
    public void Every_sample_setting_is_set_unless_local_only_for_a_stated_reason()
    {
        var missing = SampleSettings().Keys.Where(k => LocalOnlyReason(k) is null && !AppSettings.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "not in the Function App's settings: " + string.Join(", ", missing));
    }

    [Fact]
    public void Local_only_settings_are_in_the_sample_and_not_set()
    {
        var sample = SampleSettings();
        Assert.All(LocalOnly.Keys, k => Assert.True(sample.ContainsKey(k), $"{k} is listed local-only but the sample has no such setting"));
        Assert.All(LocalOnlyPrefixes.Keys, p => Assert.Contains(sample.Keys, k => k.StartsWith(p, StringComparison.Ordinal)));
        var set = AppSettings.Select(p => p.Key).Where(k => LocalOnlyReason(k) is not null).ToList();
        Assert.True(set.Count == 0, "local-only settings set: " + string.Join(", ", set));
    }

    [Fact]
    public void Every_app_setting_is_one_the_app_or_the_platform_reads()
    {
        var sample = SampleSettings();
        var unknown = AppSettings.Select(p => p.Key)
            .Where(k => !sample.ContainsKey(k) && !PlatformSettings.ContainsKey(k) && !ReadOutsideSample.ContainsKey(k))
            .ToList();
        Assert.True(unknown.Count == 0, "settings the app does not read: " + string.Join(", ", unknown));
        foreach (var (setting, (file, declaration)) in ReadOutsideSample)
        {
            Assert.True(AppSettings.ContainsKey(setting), $"{setting} is listed as set but is not");
            Assert.Contains(declaration, File.ReadAllText(Path.Combine(BicepCli.RepoRoot, file)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void No_app_setting_carries_a_key()
    {
        foreach (var (name, value) in AppSettings)
        {
            var text = CompiledTemplate.Json(value);
            Assert.DoesNotContain("AccountKey=", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessKey=", text, StringComparison.OrdinalIgnoreCase);
            Assert.False(text.Contains("listKeys(", StringComparison.OrdinalIgnoreCase), $"{name} reads a key: {text}");
        }
        Assert.Equal("managedidentity", Setting("AzureWebJobsStorage__credential"));
        Assert.Equal("azure", Setting("MetaRec__Storage__Backend"));
        Assert.Equal(IdentityOutput("clientId"), Setting("AzureWebJobsStorage__clientId"));
        Assert.Equal(IdentityOutput("clientId"), Setting("AZURE_CLIENT_ID"));
    }

    [Fact]
    public void The_identity_has_every_role_the_code_needs_and_no_sender_role()
    {
        var assigned = RoleAssignments().ToList();
        foreach (var role in assigned)
        {
            output.WriteLine($"{role.RoleId} on {role.Scope} (module {role.Module})");
            Assert.Equal(IdentityOutput("principalId"), role.Principal);
        }
        foreach (var (id, name, scope) in RequiredRoles)
        {
            Assert.True(
                assigned.Any(a => a.RoleId == id && a.Scope.Contains($"'{scope}'", StringComparison.Ordinal)),
                $"{name} ({id}) is not assigned on a {scope}");
        }
        foreach (var (id, name) in UnneededRoles)
        {
            Assert.DoesNotContain(assigned, a => a.RoleId == id);
            _ = name;
        }
        // Receiver is enough because the app only receives and settles (dead-lettering is a settlement).
        var serviceBusCode = Directory.EnumerateFiles(Path.Combine(BicepCli.RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("Azure.Messaging.ServiceBus", StringComparison.Ordinal));
        Assert.All(serviceBusCode, f => Assert.DoesNotContain("CreateSender", File.ReadAllText(f), StringComparison.Ordinal));

        // Starting, reading and stopping the job: the custom role on the job itself.
        var training = compiled.ModuleNamed("training");
        var definition = Assert.Single(CompiledTemplate.ResourcesOfType(training.Template, "Microsoft.Authorization/roleDefinitions"));
        var actions = definition["properties"]!["permissions"]![0]!["actions"]!.AsArray().Select(a => CompiledTemplate.Text(a)).ToList();
        Assert.All(JobActions, a => Assert.Contains(a, actions));
        Assert.All(actions, a => Assert.StartsWith("Microsoft.App/jobs/", a, StringComparison.Ordinal));
        var jobAssignment = Assert.Single(assigned, a => a.Module == "training");
        Assert.Contains("'Microsoft.App/jobs'", jobAssignment.Scope, StringComparison.Ordinal);
        Assert.Equal($"custom:{CompiledTemplate.Text(definition["name"])}", jobAssignment.RoleId);
    }

    [Fact]
    public void The_service_bus_queue_is_the_entity_the_app_reads_and_has_sessions()
    {
        var module = compiled.ModuleNamed("servicebus");
        var queue = Assert.Single(CompiledTemplate.ResourcesOfType(module.Template, "Microsoft.ServiceBus/namespaces/queues"));
        var name = FormatArguments(CompiledTemplate.Text(queue["name"])!);
        Assert.Equal(3, name.Count);
        Assert.Equal(Setting("MetaRec__ServiceBus__EntityName"), CompiledTemplate.Text(compiled.ResolveIn(module, JsonValue.Create(name[^1]))));
        Assert.Equal(SampleSettings()["MetaRec__ServiceBus__EntityName"], Setting("MetaRec__ServiceBus__EntityName"));
        Assert.Equal(string.Empty, Setting("MetaRec__ServiceBus__SubscriptionName")); // a queue, not a topic
        var properties = queue["properties"]!;
        Assert.True(properties["requiresSession"]!.GetValue<bool>());
        Assert.True(properties["deadLetteringOnMessageExpiration"]!.GetValue<bool>());
        Assert.Equal(5, compiled.ResolveIn(module, properties["maxDeliveryCount"])!.GetValue<int>());
        var fqdn = CompiledTemplate.Text(AppSettings["MetaRec__ServiceBus__FullyQualifiedNamespace"])!;
        Assert.Matches(@"reference\(resourceId\('Microsoft\.Resources/deployments', 'servicebus'\).*\.outputs\.fullyQualifiedNamespace\.value\]$", fqdn);
    }

    [Fact]
    public void The_training_job_is_what_the_aca_launcher_and_the_image_expect()
    {
        var module = compiled.ModuleNamed("training");
        var job = Assert.Single(CompiledTemplate.ResourcesOfType(module.Template, "Microsoft.App/jobs"));
        Assert.Equal("Manual", CompiledTemplate.Text(job["properties"]!["configuration"]!["triggerType"]));
        Assert.Equal("aca", Setting("MetaRec__Training__Launcher"));

        // The job name the app starts is the job's name.
        Assert.Equal("[parameters('jobName')]", CompiledTemplate.Text(job["name"]));
        Assert.Equal("[parameters('jobName')]", CompiledTemplate.Text(module.Template["outputs"]!["jobName"]!["value"]));
        Assert.Matches(@"reference\(resourceId\('Microsoft\.Resources/deployments', 'training'\).*\.outputs\.jobName\.value\]$", CompiledTemplate.Text(AppSettings["MetaRec__Training__ContainerApps__JobName"])!);
        Assert.Equal("[subscription().subscriptionId]", Setting("MetaRec__Training__ContainerApps__SubscriptionId"));
        Assert.Equal("[resourceGroup().name]", Setting("MetaRec__Training__ContainerApps__ResourceGroup"));

        // The container the launcher overrides is the one the app names.
        var container = Assert.Single(job["properties"]!["template"]!["containers"]!.AsArray())!;
        var containerName = CompiledTemplate.Text(compiled.ResolveIn(module, container["name"]));
        Assert.False(string.IsNullOrEmpty(containerName));
        Assert.Equal(Setting("MetaRec__Training__ContainerApps__ContainerName"), containerName);

        // The command is the images' entry point (metarec), so args are a metarec command line.
        var entryPoints = new[] { "Dockerfile.cpu", "Dockerfile.cuda" }.Select(EntryPoint).ToList();
        Assert.Equal(entryPoints[0], entryPoints[1]);
        Assert.Equal(entryPoints[0], container["command"]!.AsArray().Select(c => CompiledTemplate.Text(c)!).ToList());
        if (container["args"] is JsonArray args)
        {
            Assert.Equal("train", CompiledTemplate.Text(args[0]));
        }

        // The image's default is the tag infra/training builds: CUDA with a GPU profile, CPU without.
        var tags = ImageTags();
        var image = compiled.Main["parameters"]!["trainingImage"]!["defaultValue"]!;
        Assert.Equal($"[if(empty(parameters('gpuProfileType')), '{tags["cpu"]}', '{tags["cuda"]}')]", CompiledTemplate.Text(image));
        Assert.Equal("[if(variables('useGpu'), 'cpu,cuda', 'cpu')]", Setting("MetaRec__Training__Devices"));

        // By default the job reaches storage with the identity: the app passes the account URLs
        // (--storage-blob-url, --storage-table-url, options of metarec) and the job has the
        // identity's client id; the connection-string secret is there only when asked for.
        var cli = File.ReadAllText(Path.Combine(BicepCli.RepoRoot, "src/MetaRec.Cli/Commands/StorageCliOptions.cs"));
        Assert.Contains("\"--storage-blob-url\"", cli, StringComparison.Ordinal);
        Assert.Contains("\"METAREC_STORAGE_CONNECTION_STRING\"", cli, StringComparison.Ordinal);
        var env = CompiledTemplate.Text(container["env"])!;
        Assert.Contains("'AZURE_CLIENT_ID'", env, StringComparison.Ordinal);
        Assert.Contains("'METAREC_STORAGE_CONNECTION_STRING', 'secretRef', variables('storageSecretName')", env, StringComparison.Ordinal);
        Assert.False((bool)compiled.Main["parameters"]!["trainingJobStorageKey"]!["defaultValue"]!);
    }

    [Fact]
    public void The_function_app_is_linux_elastic_premium_with_an_always_ready_instance()
    {
        var module = compiled.ModuleNamed("functionapp");
        var plan = Assert.Single(CompiledTemplate.ResourcesOfType(module.Template, "Microsoft.Web/serverfarms"));
        Assert.Equal("ElasticPremium", CompiledTemplate.Text(plan["sku"]!["tier"]));
        Assert.Equal("EP1", CompiledTemplate.Text(compiled.Main["parameters"]!["functionPlanSku"]!["defaultValue"]));
        Assert.True(plan["properties"]!["reserved"]!.GetValue<bool>());
        var site = Assert.Single(CompiledTemplate.ResourcesOfType(module.Template, "Microsoft.Web/sites"));
        Assert.Equal("functionapp,linux", CompiledTemplate.Text(site["kind"]));
        var config = site["properties"]!["siteConfig"]!;
        Assert.StartsWith("DOTNET-ISOLATED|", CompiledTemplate.Text(config["linuxFxVersion"]), StringComparison.Ordinal);
        Assert.Equal("[parameters('alwaysReadyInstances')]", CompiledTemplate.Text(config["minimumElasticInstanceCount"]));
        Assert.True(module.Parameters["alwaysReadyInstances"]!["value"]!.GetValue<int>() >= 1);
        Assert.Equal("dotnet-isolated", Setting("FUNCTIONS_WORKER_RUNTIME"));
        // No Azure Files share (its connection string is a key): the app runs from a package URL in
        // its storage account, which the identity fetches.
        Assert.False(AppSettings.ContainsKey("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"));
        Assert.False(AppSettings.ContainsKey("WEBSITE_CONTENTSHARE"));
        Assert.Contains(".outputs.blobEndpoint.value", Setting("WEBSITE_RUN_FROM_PACKAGE"), StringComparison.Ordinal);
        Assert.Contains("variables('packageBlobName')", Setting("WEBSITE_RUN_FROM_PACKAGE"), StringComparison.Ordinal);
        Assert.EndsWith(".zip", CompiledTemplate.Text(compiled.Variables["packageBlobName"]), StringComparison.Ordinal);
        Assert.Equal(IdentityOutput("id"), Setting("WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"));
        // The site's settings are exactly the object main passes.
        var copy = Assert.Single(config["copy"]!.AsArray())!;
        Assert.Equal("appSettings", CompiledTemplate.Text(copy["name"]));
        Assert.Contains("items(parameters('appSettings'))", CompiledTemplate.Json(copy["input"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Durable_and_the_queue_trigger_use_host_storage_with_the_identity()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(BicepCli.RepoRoot, "host.json")))!;
        var durable = host["extensions"]!["durableTask"]!;
        Assert.Equal("%DurableTaskHub%", CompiledTemplate.Text(durable["hubName"]));
        Assert.Equal("AzureWebJobsStorage", CompiledTemplate.Text(durable["storageProvider"]!["connectionName"]));
        Assert.False(string.IsNullOrEmpty(Setting("DurableTaskHub")));
        Assert.Equal(IdentityOutputOf("storage", "name"), CompiledTemplate.Text(AppSettings["AzureWebJobsStorage__accountName"]));
        // The queue the Interactions function triggers on exists.
        var storage = compiled.ModuleNamed("storage");
        var queue = Assert.Single(CompiledTemplate.ResourcesOfType(storage.Template, "Microsoft.Storage/storageAccounts/queueServices/queues"));
        var queueName = FormatArguments(CompiledTemplate.Text(queue["name"])!)[^1];
        Assert.Equal(Setting("InteractionsQueue"), CompiledTemplate.Text(compiled.ResolveIn(storage, JsonValue.Create(queueName))));
        // The app's one container (models, plugins, snapshots, run logs under prefixes) and the package container.
        var containers = CompiledTemplate.ResourcesOfType(storage.Template, "Microsoft.Storage/storageAccounts/blobServices/containers")
            .Select(c => CompiledTemplate.Text(compiled.ResolveIn(storage, JsonValue.Create(FormatArguments(CompiledTemplate.Text(c["name"])!)[^1]))))
            .ToList();
        Assert.Equal(2, containers.Count);
        Assert.Contains(Setting("MetaRec__Storage__Container"), containers);
        Assert.Contains(CompiledTemplate.Text(compiled.Variables["packageContainerName"]), containers);
        var table = Assert.Single(CompiledTemplate.ResourcesOfType(storage.Template, "Microsoft.Storage/storageAccounts/tableServices/tables"));
        Assert.Equal(Setting("MetaRec__Storage__Table"), CompiledTemplate.Text(compiled.ResolveIn(storage, JsonValue.Create(FormatArguments(CompiledTemplate.Text(table["name"])!)[^1]))));
    }

    private sealed record Assignment(string Module, string RoleId, string Scope, string? Principal);

    /// <summary>Every role assignment in the template, with its role resolved to a GUID (or <c>custom:name</c>) and its principal.</summary>
    private IEnumerable<Assignment> RoleAssignments()
    {
        foreach (var resource in CompiledTemplate.ResourcesOfType(compiled.Main, "Microsoft.Authorization/roleAssignments"))
        {
            var role = Role(CompiledTemplate.Text(resource["properties"]!["roleDefinitionId"])!, expression => compiled.ResolveMain(JsonValue.Create(expression)));
            yield return new Assignment("main", role.Single(), CompiledTemplate.Text(resource["scope"]) ?? string.Empty, CompiledTemplate.Text(resource["properties"]!["principalId"]));
        }
        foreach (var module in compiled.Modules)
        {
            foreach (var resource in CompiledTemplate.ResourcesOfType(module.Template, "Microsoft.Authorization/roleAssignments"))
            {
                var roles = Role(CompiledTemplate.Text(resource["properties"]!["roleDefinitionId"])!, expression => compiled.ResolveIn(module, JsonValue.Create(expression)));
                var principal = CompiledTemplate.Text(compiled.ResolveIn(module, resource["properties"]!["principalId"]));
                foreach (var role in roles)
                {
                    yield return new Assignment(module.Name, role, CompiledTemplate.Text(resource["scope"]) ?? string.Empty, principal);
                }
            }
        }
    }

    private static List<string> Role(string roleDefinitionId, Func<string, JsonNode?> resolve)
    {
        if (BuiltInRole().Match(roleDefinitionId) is { Success: true } builtIn)
        {
            var argument = builtIn.Groups["id"].Value;
            if (argument.StartsWith('\''))
            {
                return [argument.Trim('\'')];
            }
            if (CopiedParameter().Match(argument) is { Success: true } copied)
            {
                return [.. resolve($"[parameters('{copied.Groups["name"].Value}')]")!.AsArray().Select(v => CompiledTemplate.Text(v)!)];
            }
            return [CompiledTemplate.Text(resolve($"[{argument}]"))!];
        }
        if (CustomRole().Match(roleDefinitionId) is { Success: true } custom)
        {
            return [$"custom:[{custom.Groups["name"].Value}]"];
        }
        throw new InvalidOperationException($"cannot read the role of {roleDefinitionId}");
    }

    private string IdentityOutput(string output) => IdentityOutputOf("identity", output);

    private string IdentityOutputOf(string module, string output) =>
        $"[reference(resourceId('Microsoft.Resources/deployments', '{module}'), '{ReferenceApiVersion()}').outputs.{output}.value]";

    /// <summary>The api-version the compiler writes into module references (from the template itself).</summary>
    private string ReferenceApiVersion() =>
        ModuleReference().Match(CompiledTemplate.Json(compiled.Main)).Groups["version"].Value;

    private static Dictionary<string, string> SampleSettings()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(BicepCli.RepoRoot, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);
    }

    private static string? LocalOnlyReason(string setting) =>
        LocalOnly.TryGetValue(setting, out var reason) ? reason
        : LocalOnlyPrefixes.FirstOrDefault(p => setting.StartsWith(p.Key, StringComparison.Ordinal)).Value;

    /// <summary>The exec-form ENTRYPOINT of an infra/training Dockerfile.</summary>
    private static List<string> EntryPoint(string dockerfile)
    {
        var line = Assert.Single(File.ReadAllLines(Path.Combine(BicepCli.Infra, "training", dockerfile)), l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal));
        return JsonSerializer.Deserialize<List<string>>(line["ENTRYPOINT ".Length..])!;
    }

    /// <summary>The image tag each Dockerfile is built as (infra/training/README.md's build commands).</summary>
    private static Dictionary<string, string> ImageTags()
    {
        var readme = File.ReadAllText(Path.Combine(BicepCli.Infra, "training", "README.md"));
        var tags = BuildCommand().Matches(readme).ToDictionary(m => m.Groups["variant"].Value, m => m.Groups["tag"].Value, StringComparer.Ordinal);
        Assert.True(tags.ContainsKey("cpu") && tags.ContainsKey("cuda"), "infra/training/README.md has no docker build -t line for each Dockerfile");
        return tags;
    }

    /// <summary>The arguments of <c>[format('{0}/{1}', a, b)]</c> after the format string.</summary>
    private static List<string> FormatArguments(string expression)
    {
        var match = FormatCall().Match(expression);
        Assert.True(match.Success, $"not a format() name: {expression}");
        return [match.Groups["format"].Value, .. match.Groups["argument"].Captures.Select(c => $"[{c.Value}]")];
    }

    [GeneratedRegex(@"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', (?<id>.+)\)\]$")]
    private static partial Regex BuiltInRole();

    [GeneratedRegex(@"^parameters\('(?<name>\w+)'\)\[copyIndex\(\)\]$")]
    private static partial Regex CopiedParameter();

    [GeneratedRegex(@"^\[resourceId\('Microsoft\.Authorization/roleDefinitions', (?<name>.+)\)\]$")]
    private static partial Regex CustomRole();

    [GeneratedRegex(@"reference\(resourceId\('Microsoft\.Resources/deployments', '\w+'\), '(?<version>[\d-]+)'\)")]
    private static partial Regex ModuleReference();

    [GeneratedRegex(@"-f infra/training/Dockerfile\.(?<variant>\w+)\s+-t\s+(?<tag>\S+)")]
    private static partial Regex BuildCommand();

    [GeneratedRegex(@"^\[format\('(?<format>[^']*)'(, (?<argument>parameters\('\w+'\)|'[^']*'))+\)\]$")]
    private static partial Regex FormatCall();
}
