using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace MetaRec.Testing.Tests;

public sealed class AzuriteRoundTripTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Blob_round_trips_through_the_sdk_client()
    {
        var container = new BlobContainerClient(azurite.ConnectionString, "roundtrip");
        await container.CreateIfNotExistsAsync();
        var payload = BinaryData.FromBytes(Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());

        await container.GetBlobClient("models/demo/1/weights.bin").UploadAsync(payload, overwrite: true);
        var downloaded = await container.GetBlobClient("models/demo/1/weights.bin").DownloadContentAsync();

        Assert.Equal(payload.ToArray(), downloaded.Value.Content.ToArray());
    }

    [Fact]
    public async Task Queue_message_round_trips_and_is_deleted()
    {
        var queue = new QueueClient(azurite.ConnectionString, "roundtrip");
        await queue.CreateIfNotExistsAsync();

        await queue.SendMessageAsync("""{"userId":"u1","itemId":"i9"}""");
        var received = await queue.ReceiveMessageAsync();
        Assert.NotNull(received.Value);
        Assert.Equal("""{"userId":"u1","itemId":"i9"}""", received.Value.Body.ToString());
        await queue.DeleteMessageAsync(received.Value.MessageId, received.Value.PopReceipt);

        var again = await queue.ReceiveMessageAsync();
        Assert.Null(again.Value);
    }

    [Fact]
    public async Task Table_entity_round_trips_with_a_binary_property()
    {
        var table = new TableClient(azurite.ConnectionString, "roundtrip");
        await table.CreateIfNotExistsAsync();
        var vector = new byte[] { 1, 2, 3, 250 };
        var entity = new TableEntity("user-42", "limaml") { ["Vector"] = vector, ["Watermark"] = 17L };

        await table.UpsertEntityAsync(entity);
        var read = await table.GetEntityAsync<TableEntity>("user-42", "limaml");

        Assert.Equal(vector, read.Value.GetBinary("Vector"));
        Assert.Equal(17L, read.Value.GetInt64("Watermark"));
        Assert.NotEqual(default(ETag), read.Value.ETag);
    }

    [Fact]
    public void Endpoints_are_on_loopback_and_distinct()
    {
        var ports = new[] { azurite.BlobPort, azurite.QueuePort, azurite.TablePort };
        Assert.Equal(3, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 1, 65535));
        Assert.Contains("http://127.0.0.1:", azurite.ConnectionString, StringComparison.Ordinal);
    }
}

public sealed class AzuriteLifecycleTests
{
    [Fact]
    public async Task Dispose_stops_the_emulator_and_deletes_its_data_folder()
    {
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var folder = azurite.DataFolder;
        var container = new BlobContainerClient(azurite.ConnectionString, "lifecycle");
        await container.CreateIfNotExistsAsync();
        Assert.True(Directory.Exists(folder));

        await azurite.DisposeAsync();

        Assert.False(Directory.Exists(folder));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Assert.ThrowsAsync<HttpRequestException>(
            () => http.GetAsync(new Uri($"http://127.0.0.1:{azurite.BlobPort}/")));
    }
}
