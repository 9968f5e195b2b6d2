namespace MetaRec.Infra.Tests;

/// <summary>
/// The example deployment (main.bicepparam) evaluated offline: the values the app will read
/// name the resources the template creates.
/// </summary>
public sealed class SnapshotTests(Snapshot snapshot) : IClassFixture<Snapshot>
{
    private string Setting(string name)
    {
        Assert.True(snapshot.AppSettings.TryGetValue(name, out var value), $"{name} is not set");
        return value ?? string.Empty;
    }

    [Fact]
    public void The_example_evaluates_with_no_diagnostics()
    {
        Assert.True(snapshot.Run.IsClean, snapshot.Run.ToString());
        Assert.Empty(snapshot.Document["diagnostics"]!.AsArray());
    }

    [Fact]
    public void The_job_the_launcher_addresses_is_the_job_deployed()
    {
        var job = snapshot.Single("Microsoft.App/jobs");
        // ContainerAppsJobLauncher's job URI: subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.App/jobs/{JobName}
        var addressed = $"/subscriptions/{Setting("MetaRec__Training__ContainerApps__SubscriptionId")}/resourceGroups/{Setting("MetaRec__Training__ContainerApps__ResourceGroup")}/providers/Microsoft.App/jobs/{Setting("MetaRec__Training__ContainerApps__JobName")}";
        Assert.Equal(CompiledTemplate.Text(job["id"]), addressed);
        Assert.Equal(Snapshot.SubscriptionId, Setting("MetaRec__Training__ContainerApps__SubscriptionId"));
        var container = Assert.Single(job["properties"]!["template"]!["containers"]!.AsArray())!;
        Assert.Equal(Setting("MetaRec__Training__ContainerApps__ContainerName"), CompiledTemplate.Text(container["name"]));
        Assert.Equal("Manual", CompiledTemplate.Text(job["properties"]!["configuration"]!["triggerType"]));
        // The example has a GPU profile: the job runs on it, and the app may ask for cuda.
        Assert.Equal("gpu", CompiledTemplate.Text(job["properties"]!["workloadProfileName"]));
        Assert.Equal("cpu,cuda", Setting("MetaRec__Training__Devices"));
        var environment = snapshot.Single("Microsoft.App/managedEnvironments");
        Assert.Equal(CompiledTemplate.Text(environment["id"]), CompiledTemplate.Text(job["properties"]!["environmentId"]));
        Assert.Contains(environment["properties"]!["workloadProfiles"]!.AsArray(),
            p => CompiledTemplate.Text(p!["name"]) == "gpu" && CompiledTemplate.Text(p["workloadProfileType"]) == "Consumption-GPU-NC8as-T4");
    }

    [Fact]
    public void The_service_bus_queue_is_the_entity_the_app_reads()
    {
        var queue = snapshot.Single("Microsoft.ServiceBus/namespaces/queues");
        var name = CompiledTemplate.Text(queue["name"])!.Split('/');
        Assert.Equal(Setting("MetaRec__ServiceBus__EntityName"), name[1]);
        Assert.True(queue["properties"]!["requiresSession"]!.GetValue<bool>());
        Assert.Equal(5, queue["properties"]!["maxDeliveryCount"]!.GetValue<int>());
        Assert.True(queue["properties"]!["deadLetteringOnMessageExpiration"]!.GetValue<bool>());
        var serviceBus = snapshot.Single("Microsoft.ServiceBus/namespaces");
        Assert.Equal(name[0], CompiledTemplate.Text(serviceBus["name"]));
        Assert.True(serviceBus["properties"]!["disableLocalAuth"]!.GetValue<bool>());
        Assert.Contains($"/namespaces/{name[0]}'", Setting("MetaRec__ServiceBus__FullyQualifiedNamespace"), StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_names_match_the_settings()
    {
        var account = CompiledTemplate.Text(snapshot.Single("Microsoft.Storage/storageAccounts")["name"]);
        Assert.Equal(account, Setting("AzureWebJobsStorage__accountName"));
        Assert.Equal($"{account}/default/{Setting("MetaRec__Storage__Table")}", CompiledTemplate.Text(snapshot.Single("Microsoft.Storage/storageAccounts/tableServices/tables")["name"]));
        Assert.Equal($"{account}/default/{Setting("InteractionsQueue")}", CompiledTemplate.Text(snapshot.Single("Microsoft.Storage/storageAccounts/queueServices/queues")["name"]));
        var containers = snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(c => CompiledTemplate.Text(c["name"])).ToList();
        Assert.Contains($"{account}/default/{Setting("MetaRec__Storage__Container")}", containers);
        // The package URL points into a container of the same account.
        var package = Setting("WEBSITE_RUN_FROM_PACKAGE");
        Assert.Contains($"/storageAccounts/{account}'", package, StringComparison.Ordinal);
        Assert.Contains(containers, c => package.Contains($"'{c!.Split('/')[2]}'", StringComparison.Ordinal));
        Assert.Contains($"/storageAccounts/{account}'", Setting("MetaRec__Storage__BlobServiceUrl"), StringComparison.Ordinal);
        Assert.Contains($"/storageAccounts/{account}'", Setting("MetaRec__Storage__TableServiceUrl"), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_role_assignment_is_for_the_app_identity_on_the_resource_it_needs()
    {
        var identity = CompiledTemplate.Text(snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities")["id"])!;
        Assert.Equal(identity, Setting("WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"));
        Assert.Contains($"'{identity}'", Setting("AZURE_CLIENT_ID"), StringComparison.Ordinal);
        var site = snapshot.Single("Microsoft.Web/sites");
        Assert.Equal(identity, Assert.Single(site["identity"]!["userAssignedIdentities"]!.AsObject()).Key);

        var assignments = snapshot.OfType("Microsoft.Authorization/roleAssignments").ToList();
        Assert.All(assignments, a => Assert.Contains($"reference('{identity}'", CompiledTemplate.Text(a["properties"]!["principalId"]), StringComparison.Ordinal));
        var roles = assignments.Select(a => CompiledTemplate.Text(a["properties"]!["roleDefinitionId"])!.Split('/')[^1]).ToList();
        var custom = CompiledTemplate.Text(snapshot.Single("Microsoft.Authorization/roleDefinitions")["name"]);
        // Storage data roles, Service Bus receiver, AcrPull (the example names a registry), the job operator.
        Assert.Equal(
            new[] { "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", "7f951dda-4ed3-4680-a7ca-43fe172d538d", custom }.Order(),
            roles.Order());
        var jobAssignment = Assert.Single(assignments, a => CompiledTemplate.Text(a["properties"]!["roleDefinitionId"])!.EndsWith($"/{custom}", StringComparison.Ordinal));
        var job = CompiledTemplate.Text(snapshot.Single("Microsoft.App/jobs")["id"])!;
        Assert.StartsWith($"[extensionResourceId('{job}', 'Microsoft.Authorization/roleAssignments'", CompiledTemplate.Text(jobAssignment["id"]), StringComparison.Ordinal);
        Assert.StartsWith($"{Snapshot.ResourceGroupId}/providers/Microsoft.Authorization/roleDefinitions/", CompiledTemplate.Text(jobAssignment["properties"]!["roleDefinitionId"]), StringComparison.Ordinal);
        var queue = CompiledTemplate.Text(snapshot.Single("Microsoft.ServiceBus/namespaces/queues")["id"])!;
        var receiver = Assert.Single(assignments, a => CompiledTemplate.Text(a["properties"]!["roleDefinitionId"])!.EndsWith("/4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", StringComparison.Ordinal));
        Assert.StartsWith($"[extensionResourceId('{queue}',", CompiledTemplate.Text(receiver["id"]), StringComparison.Ordinal);
        var acrPull = Assert.Single(assignments, a => CompiledTemplate.Text(a["properties"]!["roleDefinitionId"])!.EndsWith("/7f951dda-4ed3-4680-a7ca-43fe172d538d", StringComparison.Ordinal));
        Assert.StartsWith($"{Snapshot.ResourceGroupId}/providers/Microsoft.ContainerRegistry/registries/", CompiledTemplate.Text(acrPull["id"]), StringComparison.Ordinal);
    }

    [Fact]
    public void No_setting_holds_a_key_once_evaluated()
    {
        foreach (var (name, value) in snapshot.AppSettings)
        {
            var text = value ?? string.Empty;
            Assert.False(
                text.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase) || text.Contains("SharedAccessKey=", StringComparison.OrdinalIgnoreCase) || text.Contains("listKeys(", StringComparison.OrdinalIgnoreCase),
                $"{name} holds a key: {text}");
        }
    }
}
