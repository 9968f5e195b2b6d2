using Azure.Storage.Queues;
using MetaRec.Functions.Functions;
using MetaRec.Testing;
using Microsoft.Extensions.Configuration;

namespace MetaRec.Functions.Tests;

/// <summary>The Events function's queue under the Functions host, from the host's storage settings in either form.</summary>
public sealed class HostQueueTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static IConfiguration Settings(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public async Task A_connection_string_gives_a_base64_queue_the_host_trigger_can_read()
    {
        var queue = HostQueue.Create(Settings(new() { ["AzureWebJobsStorage"] = azurite.ConnectionString }), "hostqueue");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("{\"eventId\":\"e1\"}");

        // Read back raw: the body is base64 on the wire, as the host's queue trigger expects.
        var raw = new QueueClient(azurite.ConnectionString, "hostqueue");
        var message = (await raw.ReceiveMessageAsync()).Value;
        Assert.Equal("{\"eventId\":\"e1\"}", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(message.Body.ToString())));
    }

    [Fact]
    public void An_identity_based_account_name_or_service_uri_gives_that_account_queue()
    {
        var byName = HostQueue.Create(Settings(new() { ["AzureWebJobsStorage:accountName"] = "metarecprod", ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001" }), "interactions");
        Assert.Equal(new Uri("https://metarecprod.queue.core.windows.net/interactions"), byName.Uri);
        var byUri = HostQueue.Create(Settings(new() { ["AzureWebJobsStorage:queueServiceUri"] = "https://other.queue.core.windows.net" }), "interactions");
        Assert.Equal(new Uri("https://other.queue.core.windows.net/interactions"), byUri.Uri);
    }

    [Fact]
    public void No_host_storage_setting_is_an_error_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => HostQueue.Create(Settings([]), "interactions"));
        Assert.Contains("AzureWebJobsStorage__accountName", error.Message, StringComparison.Ordinal);
    }
}
