using System.Text.Json;
using Azure;
using Azure.Messaging.ServiceBus;
using MetaRec.Core.Plugins;
using MetaRec.Functions.Interactions;
using MetaRec.Functions.Interactions.ServiceBus;
using MetaRec.Functions.Serving;
using MetaRec.Storage;
using MetaRec.Storage.Interactions;
using MetaRec.Storage.Windows;
using MetaRec.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Tests;

/// <summary>
/// Service Bus through its SDK, without a broker (none runs here): each message goes through
/// the SDK's own <see cref="ProcessSessionMessageEventArgs"/>, built on a session receiver
/// that records how the message was settled, into the interaction processor on real folder
/// storage. The settings name the bad one; the registration is a no-op unless configured.
/// </summary>
public sealed class ServiceBusInteractionsTests : IDisposable
{
    private const string ConnectionString = "Endpoint=sb://metarec-test.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=dGVzdC1vbmx5LW5vdC1hLWtleQ==";

    private readonly TempFolder _temp = new("metarec-servicebus-");
    private readonly StorageOptions _storage;
    private readonly IInteractionLog _log;
    private readonly IUserWindowStore _windows;
    private readonly ActiveModelProvider _models;
    private readonly ModelGate _gate;
    private readonly RefreshScheduler _scheduler;
    private readonly InteractionProcessor _processor;

    public ServiceBusInteractionsTests()
    {
        _storage = new StorageOptions { Backend = "folder", Folder = _temp.Path };
        var options = Options.Create(new FunctionAppOptions { Storage = _storage, Interactions = { RefreshInterval = TimeSpan.Zero } });
        _log = _storage.CreateInteractionLog();
        _windows = _storage.CreateWindowStore();
        _models = new ActiveModelProvider(_storage.CreateRegistry(), PluginLoader.LoadFolder(Path.Combine(AppContext.BaseDirectory, "plugins")), options, NullLogger<ActiveModelProvider>.Instance);
        _gate = new ModelGate(options);
        _scheduler = new RefreshScheduler(options, TimeProvider.System, NullLogger<RefreshScheduler>.Instance);
        _processor = new InteractionProcessor(_log, _windows, _storage.CreateEmbeddingStore(),
            _models, _gate, _scheduler, options, TimeProvider.System, NullLogger<InteractionProcessor>.Instance);
    }

    public void Dispose()
    {
        _scheduler.Dispose();
        _gate.Dispose();
        _models.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_valid_message_is_applied_to_storage_and_completed()
    {
        var receiver = new RecordingReceiver("u1");
        var message = Message("""[{"eventId":"e1","userId":"u1","itemId":"i1","rating":5,"timestamp":1700000000},{"eventId":"e2","userId":"u1","itemId":"i2","rating":2,"timestamp":1700000060}]""");

        await Trigger().SettleAsync(new ProcessSessionMessageEventArgs(message, receiver, CancellationToken.None));

        Assert.Equal(new Call("Complete", "m1", null, null, null), Assert.Single(receiver.Settled));
        Assert.Equal(["e1", "e2"], await LoggedAsync());
        Assert.Equal(["e1", "e2"], (await _windows.GetAsync("u1")).Events.Select(e => e.EventId));
    }

    [Fact]
    public async Task A_redelivered_message_is_completed_again_and_stored_once()
    {
        var receiver = new RecordingReceiver("u1");
        var body = """{"eventId":"e1","userId":"u1","itemId":"i1","rating":5,"timestamp":1700000000}""";
        var trigger = Trigger();

        await trigger.SettleAsync(new ProcessSessionMessageEventArgs(Message(body, deliveryCount: 1), receiver, CancellationToken.None));
        await trigger.SettleAsync(new ProcessSessionMessageEventArgs(Message(body, deliveryCount: 2), receiver, CancellationToken.None));

        Assert.Equal(["Complete", "Complete"], receiver.Settled.Select(s => s.Action));
        Assert.Equal(["e1"], await LoggedAsync());
        Assert.Single((await _windows.GetAsync("u1")).Events);
    }

    [Theory]
    [InlineData("{not json", Settlement.Reasons.InvalidJson, "not JSON: ")]
    [InlineData("", Settlement.Reasons.InvalidJson, "not JSON: ")]
    [InlineData("""{"eventId":"e1","userId":"u1","itemId":"i1","rating":5}""", Settlement.Reasons.InvalidEvent, "timestamp is missing")]
    [InlineData("""[{"userId":"u1"}]""", Settlement.Reasons.InvalidEvent, "[0].eventId is missing")]
    [InlineData("""{"eventId":"e1","userId":"u1","itemId":"i1","rating":"five","timestamp":1}""", Settlement.Reasons.InvalidEvent, "rating must be a number, not \"five\"")]
    [InlineData("""{"eventId":"e1","userId":"../u1","itemId":"i1","rating":5,"timestamp":1}""", Settlement.Reasons.InvalidEvent, "userId '../u1' is not valid")]
    [InlineData("""[{"eventId":"e1","userId":"u1","itemId":"i1","rating":5,"timestamp":1},{"eventId":"e2","userId":"u2","itemId":"i1","rating":5,"timestamp":1}]""", Settlement.Reasons.SessionMismatch, "[1].userId 'u2' is not the session's user 'u1'")]
    public async Task Poison_is_dead_lettered_with_its_reason_and_a_description_naming_the_field(string body, string reason, string description)
    {
        var receiver = new RecordingReceiver("u1");

        await Trigger().SettleAsync(new ProcessSessionMessageEventArgs(Message(body), receiver, CancellationToken.None));

        var settled = Assert.Single(receiver.Settled);
        Assert.Equal(("DeadLetter", "m1", reason), (settled.Action, settled.MessageId, settled.Reason));
        Assert.Contains(description, settled.Description, StringComparison.Ordinal);
        Assert.Empty(await LoggedAsync()); // a message is applied whole or not at all
    }

    [Fact]
    public async Task A_body_that_is_too_large_or_not_UTF8_is_dead_lettered_unread()
    {
        var receiver = new RecordingReceiver("u1");
        var trigger = Trigger(maxMessageBytes: 64);
        var large = """{"eventId":"e1","userId":"u1","itemId":"i1","rating":5,"timestamp":1700000000}"""; // 78 bytes

        await trigger.SettleAsync(new ProcessSessionMessageEventArgs(Message(large), receiver, CancellationToken.None));
        await trigger.SettleAsync(new ProcessSessionMessageEventArgs(Message(new BinaryData(new byte[] { 0x7B, 0xFF, 0x7D })), receiver, CancellationToken.None));

        Assert.Equal(
            [("DeadLetter", Settlement.Reasons.Oversized), ("DeadLetter", Settlement.Reasons.InvalidEncoding)],
            receiver.Settled.Select(s => (s.Action, s.Reason)));
        Assert.Equal("the body is 78 bytes; at most 64 are read (MetaRec:ServiceBus:MaxMessageBytes)", receiver.Settled[0].Description);
        Assert.Empty(await LoggedAsync());
    }

    [Fact]
    public async Task A_storage_failure_abandons_the_message_and_its_redelivery_completes()
    {
        var receiver = new RecordingReceiver("u1");
        var body = """{"eventId":"e1","userId":"u1","itemId":"i1","rating":5,"timestamp":1700000000}""";
        var blocker = Path.Combine(_temp.Path, "interactions");
        await File.WriteAllTextAsync(blocker, "a file where the log's folder goes"); // the log's append fails with IOException
        var trigger = Trigger();

        await trigger.SettleAsync(new ProcessSessionMessageEventArgs(Message(body, deliveryCount: 1), receiver, CancellationToken.None));
        File.Delete(blocker);
        await trigger.SettleAsync(new ProcessSessionMessageEventArgs(Message(body, deliveryCount: 2), receiver, CancellationToken.None));

        Assert.Equal(["Abandon", "Complete"], receiver.Settled.Select(s => s.Action));
        var why = Assert.IsType<string>(receiver.Settled[0].Properties![ServiceBusInteractionProcessor.LastFailureProperty]);
        Assert.StartsWith("Transient: IOException: ", why, StringComparison.Ordinal);
        Assert.Equal(["e1"], await LoggedAsync());
    }

    [Fact]
    public async Task A_message_in_hand_when_the_processor_stops_is_abandoned_not_lost()
    {
        var receiver = new RecordingReceiver("u1");
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();

        await Trigger().SettleAsync(new ProcessSessionMessageEventArgs(
            Message("""{"eventId":"e1","userId":"u1","itemId":"i1","rating":5,"timestamp":1700000000}"""), receiver, stopping.Token));

        var settled = Assert.Single(receiver.Settled);
        Assert.Equal("Abandon", settled.Action);
        Assert.StartsWith(Settlement.Reasons.Stopping + ": ", (string)settled.Properties![ServiceBusInteractionProcessor.LastFailureProperty], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(503, true)]
    [InlineData(500, true)]
    [InlineData(429, true)]
    [InlineData(408, true)]
    [InlineData(0, true)] // no response at all
    [InlineData(404, false)]
    [InlineData(409, false)]
    [InlineData(412, false)]
    [InlineData(403, false)]
    public void Storage_responses_of_408_429_and_5xx_are_transient(int status, bool transient)
    {
        Assert.Equal(transient, TransientFailure.Is(new RequestFailedException(status, "storage said so")));
    }

    [Fact]
    public void Timeouts_and_IO_are_transient_and_other_failures_are_not()
    {
        Assert.True(TransientFailure.Is(new IOException("disk")));
        Assert.True(TransientFailure.Is(new TimeoutException()));
        Assert.True(TransientFailure.Is(new HttpRequestException("reset")));
        Assert.True(TransientFailure.Is(new AggregateException(new IOException("a"), new RequestFailedException(503, "b"))));
        Assert.False(TransientFailure.Is(new AggregateException(new IOException("a"), new InvalidOperationException("b"))));
        Assert.False(TransientFailure.Is(new InvalidOperationException("the window kept changing")));
        Assert.False(TransientFailure.Is(new ArgumentException("bad")));
    }

    [Theory]
    [InlineData("MaxConcurrentSessions", "0", "MetaRec:ServiceBus:MaxConcurrentSessions must be at least 1, not 0")]
    [InlineData("MaxConcurrentCallsPerSession", "0", "MetaRec:ServiceBus:MaxConcurrentCallsPerSession must be at least 1, not 0")]
    [InlineData("PrefetchCount", "-1", "MetaRec:ServiceBus:PrefetchCount must be at least 0, not -1")]
    [InlineData("MaxMessageBytes", "0", "MetaRec:ServiceBus:MaxMessageBytes must be at least 1, not 0")]
    [InlineData("SessionIdleTimeout", "00:00:00", "MetaRec:ServiceBus:SessionIdleTimeout must be positive")]
    [InlineData("MaxAutoLockRenewalDuration", "-00:00:01", "MetaRec:ServiceBus:MaxAutoLockRenewalDuration must not be negative")]
    [InlineData("EntityName", " ", "MetaRec:ServiceBus:EntityName must name the session-enabled queue")]
    [InlineData("TransportType", "Http", "MetaRec:ServiceBus:TransportType must be AmqpTcp or AmqpWebSockets, not 'Http'")]
    [InlineData("FullyQualifiedNamespace", "https://metarec.servicebus.windows.net/", "MetaRec:ServiceBus:FullyQualifiedNamespace must be a host name")]
    [InlineData("FullyQualifiedNamespace", "metarec", "MetaRec:ServiceBus:FullyQualifiedNamespace must be a host name")]
    [InlineData("FullyQualifiedNamespace", "Endpoint=sb://metarec.servicebus.windows.net/", "MetaRec:ServiceBus:FullyQualifiedNamespace holds a connection string")]
    [InlineData("ConnectionString", "Endpoint=sb://metarec.servicebus.windows.net/", "MetaRec:ServiceBus:ConnectionString has no SharedAccessKeyName and SharedAccessKey")]
    [InlineData("ConnectionString", "SharedAccessKeyName=k;SharedAccessKey=v", "MetaRec:ServiceBus:ConnectionString has no Endpoint=")]
    public void A_bad_setting_is_refused_naming_it(string setting, string value, string message)
    {
        var values = new Dictionary<string, string?> { [$"MetaRec:ServiceBus:{setting}"] = value };
        if (setting is not ("FullyQualifiedNamespace" or "ConnectionString"))
        {
            values["MetaRec:ServiceBus:FullyQualifiedNamespace"] = "metarec.servicebus.windows.net";
        }

        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddServiceBusInteractions(Configuration(values)));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(setting, error.ParamName);
    }

    [Fact]
    public void The_namespace_and_the_connection_string_are_not_both_taken_and_a_scoped_string_names_its_entity()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddServiceBusInteractions(Configuration(new()
        {
            ["MetaRec:ServiceBus:FullyQualifiedNamespace"] = "metarec.servicebus.windows.net",
            ["MetaRec:ServiceBus:ConnectionString"] = ConnectionString,
        })));
        Assert.StartsWith("MetaRec:ServiceBus:ConnectionString and MetaRec:ServiceBus:FullyQualifiedNamespace are both set", error.Message, StringComparison.Ordinal);

        var scoped = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddServiceBusInteractions(Configuration(new()
        {
            ["MetaRec:ServiceBus:ConnectionString"] = ConnectionString + ";EntityPath=orders",
        })));
        Assert.Equal("MetaRec:ServiceBus:EntityName is 'interactions' but MetaRec:ServiceBus:ConnectionString is scoped to EntityPath 'orders' (Parameter 'EntityName')", scoped.Message);
    }

    [Fact]
    public void Unconfigured_registers_nothing_also_with_the_sample_settings_whose_defaults_are_valid()
    {
        var sample = SampleSettings();
        var settings = typeof(ServiceBusInteractionOptions).GetProperties().Where(p => p.CanWrite).Select(p => "MetaRec:ServiceBus:" + p.Name);
        Assert.Equal(settings.Order(StringComparer.Ordinal), sample.Keys.Order(StringComparer.Ordinal)); // the sample lists every setting

        Assert.Empty(new ServiceCollection().AddServiceBusInteractions(Configuration(new())));
        Assert.Empty(new ServiceCollection().AddServiceBusInteractions(Configuration(sample)));

        sample["MetaRec:ServiceBus:FullyQualifiedNamespace"] = "metarec.servicebus.windows.net";
        var configured = new ServiceCollection().AddServiceBusInteractions(Configuration(sample));
        Assert.Contains(configured, d => d.ImplementationType == typeof(ServiceBusInteractionProcessor));
    }

    [Theory]
    [InlineData("MetaRec:ServiceBus:FullyQualifiedNamespace", "metarec.servicebus.windows.net")]
    [InlineData("MetaRec:ServiceBus:ConnectionString", ConnectionString)]
    public async Task Configured_registers_the_hosted_processor_over_the_apps_interaction_processor(string setting, string value)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(_processor);
        services.AddServiceBusInteractions(Configuration(new() { [setting] = value, ["MetaRec:ServiceBus:MaxConcurrentSessions"] = "3" }));

        var hosted = Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Equal(typeof(ServiceBusInteractionProcessor), hosted.ImplementationType);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Assert.IsType<ServiceBusInteractionProcessor>(Assert.Single(provider.GetServices<IHostedService>()));
        Assert.Equal(3, provider.GetRequiredService<IOptions<ServiceBusInteractionOptions>>().Value.MaxConcurrentSessions);
    }

    [Fact]
    public async Task The_processor_settles_nothing_by_itself_and_takes_the_settings()
    {
        var settings = new ServiceBusInteractionOptions
        {
            ConnectionString = ConnectionString,
            EntityName = "events",
            SubscriptionName = "metarec",
            MaxConcurrentSessions = 16,
            MaxConcurrentCallsPerSession = 2,
            PrefetchCount = 10,
            SessionIdleTimeout = TimeSpan.FromSeconds(5),
            MaxAutoLockRenewalDuration = TimeSpan.FromMinutes(2),
            TransportType = "amqpwebsockets",
        };
        settings.Validate();
        await using var client = ServiceBusInteractionProcessor.CreateClient(settings);
        await using var processor = ServiceBusInteractionProcessor.CreateProcessor(client, settings);

        Assert.Equal(("metarec-test.servicebus.windows.net", ServiceBusTransportType.AmqpWebSockets), (client.FullyQualifiedNamespace, client.TransportType));
        Assert.False(processor.AutoCompleteMessages);
        Assert.Equal(ServiceBusReceiveMode.PeekLock, processor.ReceiveMode);
        Assert.Equal("events/Subscriptions/metarec", processor.EntityPath);
        Assert.Equal((16, 2, 10), (processor.MaxConcurrentSessions, processor.MaxConcurrentCallsPerSession, processor.PrefetchCount));
        Assert.Equal(((TimeSpan?)TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2)), (processor.SessionIdleTimeout, processor.MaxAutoLockRenewalDuration));

        var queue = new ServiceBusInteractionOptions { FullyQualifiedNamespace = "metarec.servicebus.windows.net" };
        queue.Validate();
        await using var identity = ServiceBusInteractionProcessor.CreateClient(queue);
        await using var defaults = ServiceBusInteractionProcessor.CreateProcessor(identity, queue);
        Assert.Equal(("metarec.servicebus.windows.net", ServiceBusTransportType.AmqpTcp), (identity.FullyQualifiedNamespace, identity.TransportType));
        Assert.Equal(("interactions", 8, 1, 0), (defaults.EntityPath, defaults.MaxConcurrentSessions, defaults.MaxConcurrentCallsPerSession, defaults.PrefetchCount));
    }

    private ServiceBusInteractionProcessor Trigger(int maxMessageBytes = 256 * 1024) => new(
        new InteractionMessageHandler(_processor, maxMessageBytes, NullLogger<InteractionMessageHandler>.Instance),
        Options.Create(new ServiceBusInteractionOptions { FullyQualifiedNamespace = "metarec.servicebus.windows.net" }),
        NullLogger<ServiceBusInteractionProcessor>.Instance);

    private async Task<List<string>> LoggedAsync()
    {
        var events = new List<string>();
        await foreach (var e in _log.ReadAsync(await _log.SnapshotAsync()))
        {
            events.Add(e.EventId);
        }
        return events;
    }

    private static ServiceBusReceivedMessage Message(string body, int deliveryCount = 1) => Message(BinaryData.FromString(body), deliveryCount);

    private static ServiceBusReceivedMessage Message(BinaryData body, int deliveryCount = 1) => ServiceBusModelFactory.ServiceBusReceivedMessage(
        body: body, messageId: "m1", sessionId: "u1", deliveryCount: deliveryCount, lockTokenGuid: Guid.NewGuid(), contentType: "application/json");

    /// <summary>The <c>MetaRec__ServiceBus__*</c> values of local.settings.sample.json, as configuration keys.</summary>
    private static Dictionary<string, string?> SampleSettings()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(DatasetPaths.RepoRoot, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject()
            .Where(p => p.Name.StartsWith("MetaRec__ServiceBus__", StringComparison.Ordinal))
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString());
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    /// <summary>How a message was settled: the action, and what went with it.</summary>
    private sealed record Call(string Action, string MessageId, string? Reason, string? Description, IDictionary<string, object>? Properties);

    /// <summary>The session receiver the args settle through; it records instead of talking to a broker.</summary>
    private sealed class RecordingReceiver(string sessionId) : ServiceBusSessionReceiver
    {
        public List<Call> Settled { get; } = [];

        public override string SessionId => sessionId;

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default) =>
            Record(new("Complete", message.MessageId, null, null, null));

        public override Task AbandonMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default) =>
            Record(new("Abandon", message.MessageId, null, null, propertiesToModify));

        public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
            Record(new("DeadLetter", message.MessageId, deadLetterReason, deadLetterErrorDescription, null));

        public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object> propertiesToModify, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default) =>
            Record(new("DeadLetter", message.MessageId, deadLetterReason, deadLetterErrorDescription, propertiesToModify));

        public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default) =>
            Record(new("DeadLetter", message.MessageId, null, null, propertiesToModify));

        private Task Record(Call settled)
        {
            Settled.Add(settled);
            return Task.CompletedTask;
        }
    }
}
