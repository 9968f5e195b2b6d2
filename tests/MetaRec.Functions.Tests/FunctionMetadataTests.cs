using System.Reflection;
using System.Text.Json;
using MetaRec.Testing;

namespace MetaRec.Functions.Tests;

/// <summary>
/// What the Functions host will index: the <c>functions.metadata</c> the worker SDK writes
/// beside the app (the same file <c>dotnet publish</c> copies into the deployable folder), and
/// the host configuration around it. No Functions host runs here, so this is as far as the
/// contract can be checked.
/// </summary>
public sealed class FunctionMetadataTests
{
    private static readonly string AppFolder = Path.GetDirectoryName(typeof(FunctionMetadataTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MetaRec.FunctionsDll").Value!)!;

    private static Dictionary<string, JsonElement> Functions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppFolder, "functions.metadata")));
        return document.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
    }

    private static JsonElement Trigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In" && b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    [Theory]
    [InlineData("Score", "post", "score", "Function")]
    [InlineData("Recommend", "get", "users/{userId}/recommendations", "Function")]
    [InlineData("Events", "post", "events", "Function")]
    [InlineData("DeleteUser", "delete", "users/{userId}", "Function")]
    [InlineData("Health", "get", "health", "Anonymous")]
    [InlineData("Ready", "get", "ready", "Anonymous")]
    [InlineData("StartTrainingRun", "post", "training-runs", "Function")]
    [InlineData("GetTrainingRun", "get", "training-runs/{runId}", "Function")]
    [InlineData("CancelTrainingRun", "post", "training-runs/{runId}/cancel", "Function")]
    public void Each_http_function_has_its_route_method_and_auth_level(string name, string method, string route, string authLevel)
    {
        var trigger = Trigger(Functions()[name]);
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
    }

    [Fact]
    public void The_training_functions_bind_the_durable_client_the_orchestrator_and_every_activity_their_triggers()
    {
        var functions = Functions();
        foreach (var api in new[] { "StartTrainingRun", "GetTrainingRun", "CancelTrainingRun" })
        {
            Assert.Contains(functions[api].GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString() == "durableClient");
        }
        Assert.Equal("orchestrationTrigger", Trigger(functions[Pipeline.Orchestration.TrainingOrchestrator.Name]).GetProperty("type").GetString());
        foreach (var activity in Pipeline.Orchestration.TrainingTasks.Activities)
        {
            Assert.True(functions.ContainsKey(activity.Name), $"no activity function {activity.Name}: the orchestrator calls it by that name");
            Assert.Equal("activityTrigger", Trigger(functions[activity.Name]).GetProperty("type").GetString());
        }
    }

    [Fact]
    public void The_timer_and_queue_functions_take_their_schedule_and_queue_from_settings_the_sample_settings_hold()
    {
        var functions = Functions();
        var timer = Trigger(functions["GenerateServingModel"]);
        Assert.Equal("timerTrigger", timer.GetProperty("type").GetString());
        Assert.Equal("%GenerationSchedule%", timer.GetProperty("schedule").GetString());
        var queue = Trigger(functions["Interactions"]);
        Assert.Equal("queueTrigger", queue.GetProperty("type").GetString());
        Assert.Equal("%InteractionsQueue%", queue.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", queue.GetProperty("connection").GetString());

        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(DatasetPaths.RepoRoot, "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values");
        Assert.Equal("dotnet-isolated", values.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
        Assert.Equal("UseDevelopmentStorage=true", values.GetProperty("AzureWebJobsStorage").GetString());
        Assert.Equal(6, values.GetProperty("GenerationSchedule").GetString()!.Split(' ').Length); // the host's NCRONTAB has seconds
        foreach (var setting in new[] { "InteractionsQueue", "DurableTaskHub" })
        {
            Assert.False(string.IsNullOrEmpty(values.GetProperty(setting).GetString()), $"{setting} has no local default");
        }
        Assert.Equal(9 + 1 + 1 + 1 + Pipeline.Orchestration.TrainingTasks.Activities.Count, functions.Count); // HTTP, timer, queue, orchestrator, activities: nothing unchecked
    }

    [Fact]
    public void The_app_is_an_isolated_worker_only_no_custom_handler_contract_is_left()
    {
        Assert.True(File.Exists(Path.Combine(AppFolder, "worker.config.json")));
        Assert.Contains("DurableTask", File.ReadAllText(Path.Combine(AppFolder, "extensions.json")), StringComparison.Ordinal);
        var host = File.ReadAllText(Path.Combine(DatasetPaths.RepoRoot, "host.json"));
        Assert.DoesNotContain("customHandler", host, StringComparison.Ordinal);
        Assert.Contains("%DurableTaskHub%", host, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(DatasetPaths.RepoRoot, "src"), "function.json", SearchOption.AllDirectories));
    }
}
