using System.Text.Json.Nodes;

namespace MetaRec.Infra.Tests;

/// <summary>
/// <c>bicep snapshot infra/main.bicepparam</c>: the example deployment evaluated offline for a made-up
/// subscription and resource group, so names, settings and role ids are values, not expressions
/// (what only ARM knows, such as a created resource's endpoints, stays an expression). The files
/// are copied to a temporary folder first, because the snapshot is written beside the parameter file.
/// </summary>
public sealed class Snapshot : IDisposable
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000aaaa";
    public const string ResourceGroup = "metarec-test-rg";
    public const string Location = "swedencentral";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("metarec-snapshot-");

    public Snapshot()
    {
        foreach (var file in new[] { "main.bicep", "main.bicepparam" })
        {
            File.Copy(Path.Combine(BicepCli.Infra, file), Path.Combine(_folder.FullName, file));
        }
        var modules = Directory.CreateDirectory(Path.Combine(_folder.FullName, "modules"));
        foreach (var file in Directory.EnumerateFiles(Path.Combine(BicepCli.Infra, "modules"), "*.bicep"))
        {
            File.Copy(file, Path.Combine(modules.FullName, Path.GetFileName(file)));
        }
        Run = BicepCli.Run(
            "snapshot", Path.Combine(_folder.FullName, "main.bicepparam"),
            "--subscription-id", SubscriptionId, "--resource-group", ResourceGroup, "--location", Location);
        Document = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder.FullName, "main.snapshot.json")))!.AsObject();
    }

    public BicepRun Run { get; }

    public JsonObject Document { get; }

    public IEnumerable<JsonObject> Resources => Document["predictedResources"]!.AsArray().Select(r => r!.AsObject());

    public IEnumerable<JsonObject> OfType(string type) => Resources.Where(r => CompiledTemplate.Text(r["type"]) == type);

    public JsonObject Single(string type) => Assert.Single(OfType(type));

    /// <summary>The Function App's settings, name to value.</summary>
    public Dictionary<string, string?> AppSettings => Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
        .ToDictionary(s => CompiledTemplate.Text(s!["name"])!, s => CompiledTemplate.Text(s!["value"]), StringComparer.Ordinal);

    public static string ResourceGroupId => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}";

    public void Dispose() => _folder.Delete(recursive: true);
}
