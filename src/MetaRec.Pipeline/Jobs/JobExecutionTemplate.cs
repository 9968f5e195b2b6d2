using System.Text.Json.Nodes;

namespace MetaRec.Pipeline.Jobs;

/// <summary>
/// The body of <c>POST …/jobs/{job}/start</c> (ARM's JobExecutionTemplate) for one attempt, and
/// the reading of an execution's template. The job's own template is copied, reduced to the
/// fields a JobExecutionContainer has (name, image, command, args, env, resources): the
/// configured container gets the attempt's args, its env merged with the attempt's variables and
/// the marker <c>METAREC_JOB_ATTEMPT={spec.Name}</c>, and the configured image; every other
/// container and init container goes as it is, so an execution runs what the job defines
/// (resources included) and only the training command changes.
/// </summary>
internal static class JobExecutionTemplate
{
    private static readonly string[] ContainerFields = ["name", "image", "command", "args", "env", "resources"];

    /// <summary>From the job resource (<c>GET …/jobs/{job}</c>) to the start body for <paramref name="spec"/>.</summary>
    public static JsonObject ForAttempt(JsonNode? job, JobSpec spec, ContainerAppsJobOptions options)
    {
        if (spec.Environment.TryGetValue(JobSpec.AttemptVariable, out var given) && given != spec.Name)
        {
            throw new ArgumentException($"{JobSpec.AttemptVariable} is set by the launcher to the attempt name '{spec.Name}', not '{given}'", nameof(spec));
        }
        var template = job?["properties"]?["template"];
        if (template?["containers"] is not JsonArray containers)
        {
            throw new InvalidOperationException($"aca: job {options.JobName} has no properties.template.containers in ARM's answer");
        }
        var body = new JsonObject();
        var execution = new JsonArray();
        foreach (var container in containers)
        {
            var copy = Copy(container);
            if (Text(copy["name"]) == options.ContainerName)
            {
                Override(copy, spec, options);
            }
            execution.Add(copy);
        }
        if (!execution.Any(c => Text(c?["name"]) == options.ContainerName))
        {
            var names = string.Join(", ", execution.Select(c => Text(c?["name"]) ?? "(unnamed)"));
            throw new InvalidOperationException(
                $"aca: job {options.JobName} has no container '{options.ContainerName}' in its template (it has: {names}); set {ContainerAppsJobOptions.Section}:{nameof(options.ContainerName)}");
        }
        body["containers"] = execution;
        if (template["initContainers"] is JsonArray { Count: > 0 } init)
        {
            body["initContainers"] = new JsonArray([.. init.Select(Copy)]);
        }
        return body;
    }

    /// <summary>Whether an execution (list item or single) carries the marker of attempt <paramref name="attempt"/>.</summary>
    public static bool CarriesAttempt(JsonNode? execution, string attempt) =>
        execution?["properties"]?["template"]?["containers"] is JsonArray containers
        && containers.Any(c => c?["env"] is JsonArray env
            && env.Any(v => Text(v?["name"]) == JobSpec.AttemptVariable && Text(v?["value"]) == attempt));

    /// <summary>A JSON string's value; null for anything else.</summary>
    public static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static void Override(JsonObject container, JobSpec spec, ContainerAppsJobOptions options)
    {
        if (options.Image is not null)
        {
            container["image"] = options.Image;
        }
        container["args"] = new JsonArray([.. spec.Arguments.Select(a => (JsonNode?)JsonValue.Create(a))]);
        var env = new JsonArray();
        if (container["env"] is JsonArray existing)
        {
            foreach (var variable in existing)
            {
                var name = Text(variable?["name"]);
                if (name is not null && name != JobSpec.AttemptVariable && !spec.Environment.ContainsKey(name))
                {
                    env.Add(variable!.DeepClone());
                }
            }
        }
        foreach (var (name, value) in spec.Environment.Where(v => v.Key != JobSpec.AttemptVariable).OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            env.Add(new JsonObject { ["name"] = name, ["value"] = value });
        }
        env.Add(new JsonObject { ["name"] = JobSpec.AttemptVariable, ["value"] = spec.Name });
        container["env"] = env;
    }

    private static JsonObject Copy(JsonNode? container)
    {
        var copy = new JsonObject();
        foreach (var field in ContainerFields)
        {
            if (container?[field] is { } value)
            {
                copy[field] = value.DeepClone();
            }
        }
        // Read-only in ARM's ContainerResources: the platform sets it.
        (copy["resources"] as JsonObject)?.Remove("ephemeralStorage");
        return copy;
    }
}
