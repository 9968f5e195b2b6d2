using System.Globalization;
using System.Text.Json.Nodes;
using MetaRec.Pipeline.Jobs;

namespace MetaRec.Pipeline.Tests;

/// <summary>
/// The JSON shapes of the Microsoft.App job operations as the ARM REST reference documents them:
/// the job resource, the start body's JobExecutionTemplate (checked field by field),
/// JobExecutionBase and the JobExecution resource.
/// </summary>
internal static class ArmJobsShapes
{
    private static readonly HashSet<string> ExecutionContainerFields = ["name", "image", "command", "args", "env", "resources"];

    /// <summary>The job resource as <c>GET …/jobs/{job}</c> returns it (trimmed to what matters).</summary>
    public static JsonObject JobResource(string jobPath) => new()
    {
        ["id"] = jobPath,
        ["name"] = ArmJobsServer.Job,
        ["type"] = "Microsoft.App/jobs",
        ["location"] = "West Europe",
        ["properties"] = new JsonObject
        {
            ["provisioningState"] = "Succeeded",
            ["workloadProfileName"] = "gpu-a100",
            ["configuration"] = new JsonObject { ["triggerType"] = "Manual", ["replicaTimeout"] = 86400, ["replicaRetryLimit"] = 0 },
            ["template"] = new JsonObject
            {
                ["containers"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["name"] = ArmJobsServer.Container,
                        ["image"] = ArmJobsServer.TemplateImage,
                        ["args"] = new JsonArray("--help"),
                        ["env"] = new JsonArray
                        {
                            new JsonObject { ["name"] = "STATIC", ["value"] = "1" },
                            new JsonObject { ["name"] = "MetaRec__Storage__Backend", ["value"] = "folder" },
                            new JsonObject { ["name"] = "STORAGE_KEY", ["secretRef"] = "storage-key" },
                        },
                        ["resources"] = new JsonObject { ["cpu"] = 24, ["memory"] = "220Gi", ["ephemeralStorage"] = "8Gi" },
                        ["volumeMounts"] = new JsonArray(new JsonObject { ["volumeName"] = "data", ["mountPath"] = "/data" }),
                    },
                },
                ["volumes"] = new JsonArray(new JsonObject { ["name"] = "data", ["storageType"] = "AzureFile", ["storageName"] = "data" }),
            },
        },
    };

    /// <summary>Why a start body is not a JobExecutionTemplate this job can run; null when it is.</summary>
    public static string? StartBodyProblem(JsonNode? body)
    {
        if (body is not JsonObject root)
        {
            return "the start body is not a JSON object";
        }
        if (root.Select(p => p.Key).FirstOrDefault(k => k is not ("containers" or "initContainers")) is { } extra)
        {
            return $"JobExecutionTemplate has no property '{extra}'";
        }
        if (root["containers"] is not JsonArray { Count: > 0 } containers)
        {
            return "containers must be a non-empty array";
        }
        foreach (var container in containers)
        {
            if (container is not JsonObject c)
            {
                return "a container is not an object";
            }
            if (c.Select(p => p.Key).FirstOrDefault(k => !ExecutionContainerFields.Contains(k)) is { } field)
            {
                return $"JobExecutionContainer has no property '{field}'";
            }
            if (Text(c["name"]) is null || Text(c["image"]) is null)
            {
                return "a container needs a string name and image";
            }
            if (c["args"] is { } args && (args is not JsonArray a || a.Any(x => Text(x) is null)))
            {
                return "args must be an array of strings";
            }
            if (c["env"] is { } env && (env is not JsonArray e || e.Any(v => EnvProblem(v) is not null)))
            {
                return "env must be an array of {name, value} or {name, secretRef}";
            }
            if (c["resources"] is { } resources && (resources is not JsonObject r || r.Any(p => p.Key is not ("cpu" or "memory"))))
            {
                return "resources may carry cpu and memory only (ephemeralStorage is read-only)";
            }
        }
        var trainer = containers.SingleOrDefault(c => Text(c?["name"]) == ArmJobsServer.Container);
        return trainer is null ? $"no container named {ArmJobsServer.Container}"
            : Text(trainer["image"]) != ArmJobsServer.Image ? $"image is {trainer["image"]}"
            : null;
    }

    private static string? EnvProblem(JsonNode? variable) => variable is JsonObject v
        && Text(v["name"]) is { Length: > 0 }
        && v.All(p => p.Key is "name" or "value" or "secretRef")
        && (Text(v["value"]) is null) != (Text(v["secretRef"]) is null)
        ? null : "bad env entry";

    public static string? AttemptOf(JsonNode? template) =>
        (template?["containers"] as JsonArray)?.SelectMany(c => c?["env"] as JsonArray ?? [])
            .Where(v => Text(v?["name"]) == JobSpec.AttemptVariable)
            .Select(v => Text(v?["value"])).FirstOrDefault();

    public static JsonObject ExecutionBase(string jobPath, ArmJobExecution e) => new() { ["name"] = e.Name, ["id"] = $"{jobPath}/executions/{e.Name}" };

    public static JsonObject ExecutionResource(string jobPath, ArmJobExecution e) => new()
    {
        ["name"] = e.Name,
        ["id"] = $"{jobPath}/executions/{e.Name}",
        ["type"] = "Microsoft.App/jobs/executions",
        ["properties"] = new JsonObject
        {
            ["status"] = e.Status,
            ["startTime"] = e.Started.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            ["endTime"] = e.Ended?.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            ["template"] = e.Template.DeepClone(),
        },
    };

    public static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

/// <summary>One execution the stand-in keeps.</summary>
internal sealed class ArmJobExecution(string name, JsonNode template, DateTimeOffset started)
{
    public string Name { get; } = name;

    public JsonNode Template { get; } = template;

    public DateTimeOffset Started { get; } = started;

    public DateTimeOffset? Ended { get; set; }

    public string Status { get; set; } = "Running";

    public int ReadsLeft { get; set; }
}
