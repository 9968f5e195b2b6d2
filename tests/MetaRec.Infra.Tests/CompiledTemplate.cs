using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MetaRec.Infra.Tests;

/// <summary>A module of main.bicep: its nested template and the parameter values main passes it.</summary>
public sealed record Module(string Name, JsonObject Template, JsonObject Parameters);

/// <summary>
/// infra/main.bicep compiled once (ARM JSON), with the small amount of expression reading the
/// tests need: a module parameter or a main variable given as <c>[parameters('x')]</c>,
/// <c>[variables('x')]</c> or <c>[variables('x').y]</c> resolves to its literal value.
/// </summary>
public sealed partial class CompiledTemplate
{
    public CompiledTemplate()
    {
        var file = Path.Combine(Path.GetTempPath(), $"metarec-main-{Guid.NewGuid():N}.json");
        try
        {
            Build = BicepCli.Run("build", "main.bicep", "--outfile", file);
            Assert.True(Build.IsClean, Build.ToString());
            Main = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        }
        finally
        {
            File.Delete(file);
        }
    }

    public BicepRun Build { get; }

    public JsonObject Main { get; }

    public JsonObject Variables => Main["variables"]!.AsObject();

    public IEnumerable<Module> Modules => Resources(Main)
        .Where(r => Text(r["type"]) == "Microsoft.Resources/deployments")
        .Select(r => new Module(Text(r["name"])!, r["properties"]!["template"]!.AsObject(), r["properties"]!["parameters"]!.AsObject()));

    public Module ModuleNamed(string name) => Assert.Single(Modules, m => m.Name == name);

    /// <summary>The resources of a template (array form, or the symbolic-name object form).</summary>
    public static IEnumerable<JsonObject> Resources(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array.Select(r => r!.AsObject()),
        JsonObject byName => byName.Select(p => p.Value!.AsObject()),
        _ => [],
    };

    public static IEnumerable<JsonObject> ResourcesOfType(JsonObject template, string type) =>
        Resources(template).Where(r => Text(r["type"]) == type);

    /// <summary>JSON text as the template has it (quotes in expressions left unescaped).</summary>
    public static string Json(JsonNode? node) => node?.ToJsonString(Unescaped) ?? string.Empty;

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A main-level value: a literal, or a reference to a main variable.</summary>
    public JsonNode? ResolveMain(JsonNode? node)
    {
        if (node is JsonArray array)
        {
            return new JsonArray([.. array.Select(element => ResolveMain(element)?.DeepClone())]);
        }
        if (Text(node) is { } text && VariableReference().Match(text) is { Success: true } match)
        {
            var value = Variables[match.Groups["name"].Value];
            return match.Groups["member"].Success ? ResolveMain(value?[match.Groups["member"].Value]) : ResolveMain(value);
        }
        return node;
    }

    /// <summary>A value inside <paramref name="module"/>: a literal, or one of its parameters as main passes it.</summary>
    public JsonNode? ResolveIn(Module module, JsonNode? node)
    {
        if (Text(node) is { } text && ParameterReference().Match(text) is { Success: true } match)
        {
            var passed = module.Parameters[match.Groups["name"].Value]?["value"];
            return passed is null ? null : ResolveMain(passed);
        }
        return node;
    }

    [GeneratedRegex(@"^\[variables\('(?<name>\w+)'\)(\.(?<member>\w+))?\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\[parameters\('(?<name>\w+)'\)\]$")]
    private static partial Regex ParameterReference();
}
