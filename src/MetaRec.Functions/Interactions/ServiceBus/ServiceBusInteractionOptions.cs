using Azure.Messaging.ServiceBus;

namespace MetaRec.Functions.Interactions.ServiceBus;

/// <summary>
/// Where interaction events arrive from Service Bus, and how fast they are taken: section
/// <c>MetaRec:ServiceBus</c> (environment <c>MetaRec__ServiceBus__EntityName</c>, …). Nothing
/// runs unless <see cref="FullyQualifiedNamespace"/> or <see cref="ConnectionString"/> is set.
/// The entity must have sessions enabled: producers set <c>SessionId</c> to the user id, so one
/// user's events are applied in order while users run in parallel.
/// </summary>
public sealed class ServiceBusInteractionOptions
{
    public const string Section = "MetaRec:ServiceBus";

    /// <summary><c>{namespace}.servicebus.windows.net</c>, reached with <c>DefaultAzureCredential</c> (managed identity in Azure; <c>AZURE_CLIENT_ID</c> picks a user-assigned one). Empty: see <see cref="ConnectionString"/>.</summary>
    public string FullyQualifiedNamespace { get; set; } = string.Empty;

    /// <summary>A shared-access connection string, for where no identity is available. Set this or <see cref="FullyQualifiedNamespace"/>, not both.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The session-enabled queue, or the topic when <see cref="SubscriptionName"/> is set.</summary>
    public string EntityName { get; set; } = "interactions";

    /// <summary>The topic's session-enabled subscription; empty when <see cref="EntityName"/> is a queue.</summary>
    public string SubscriptionName { get; set; } = string.Empty;

    /// <summary>Sessions (users) processed at once on this instance.</summary>
    public int MaxConcurrentSessions { get; set; } = 8;

    /// <summary>Messages of one session processed at once; 1 (the default) keeps a user's events in order.</summary>
    public int MaxConcurrentCallsPerSession { get; set; } = 1;

    /// <summary>Messages fetched ahead of processing per session receiver; 0 (the default) fetches none ahead, so no lock runs out in a buffer.</summary>
    public int PrefetchCount { get; set; }

    /// <summary>How long a session with no new message is held before the processor moves to another; empty: the SDK's default (its try timeout, 60 s).</summary>
    public TimeSpan? SessionIdleTimeout { get; set; }

    /// <summary>How long the processor keeps renewing the session lock while a message is handled.</summary>
    public TimeSpan MaxAutoLockRenewalDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A body larger than this is dead-lettered as <c>Oversized</c> unread (256 KiB, the Standard tier's message limit).</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary><c>AmqpTcp</c> (port 5671) or <c>AmqpWebSockets</c> (port 443, through proxies and firewalls that only pass HTTPS).</summary>
    public string TransportType { get; set; } = nameof(ServiceBusTransportType.AmqpTcp);

    /// <summary>Whether a namespace or a connection string is set: only then does the processor run.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(FullyQualifiedNamespace) || !string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>The transport <see cref="TransportType"/> names (valid after <see cref="Validate"/>).</summary>
    public ServiceBusTransportType Transport => Enum.Parse<ServiceBusTransportType>(TransportType, ignoreCase: true);

    /// <exception cref="ArgumentException">Naming the bad setting, <c>MetaRec:ServiceBus:{Name}</c>.</exception>
    public void Validate()
    {
        if (!string.IsNullOrWhiteSpace(FullyQualifiedNamespace) && !string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw Bad(nameof(ConnectionString), "and MetaRec:ServiceBus:FullyQualifiedNamespace are both set; set one (the namespace with DefaultAzureCredential, or the connection string)");
        }
        if (!string.IsNullOrWhiteSpace(FullyQualifiedNamespace))
        {
            ValidateNamespace();
        }
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            ValidateConnectionString();
        }
        if (string.IsNullOrWhiteSpace(EntityName))
        {
            throw Bad(nameof(EntityName), "must name the session-enabled queue (or topic, with MetaRec:ServiceBus:SubscriptionName)");
        }
        AtLeast(MaxConcurrentSessions, 1, nameof(MaxConcurrentSessions));
        AtLeast(MaxConcurrentCallsPerSession, 1, nameof(MaxConcurrentCallsPerSession));
        AtLeast(PrefetchCount, 0, nameof(PrefetchCount));
        AtLeast(MaxMessageBytes, 1, nameof(MaxMessageBytes));
        if (SessionIdleTimeout is { } idle && idle <= TimeSpan.Zero)
        {
            throw Bad(nameof(SessionIdleTimeout), $"must be positive (or empty for the SDK's default), not {idle}");
        }
        if (MaxAutoLockRenewalDuration < TimeSpan.Zero)
        {
            throw Bad(nameof(MaxAutoLockRenewalDuration), $"must not be negative (0 turns renewal off), not {MaxAutoLockRenewalDuration}");
        }
        if (!Enum.GetNames<ServiceBusTransportType>().Contains(TransportType, StringComparer.OrdinalIgnoreCase))
        {
            throw Bad(nameof(TransportType), $"must be AmqpTcp or AmqpWebSockets, not '{TransportType}'");
        }
    }

    private void ValidateNamespace()
    {
        var name = FullyQualifiedNamespace.Trim();
        if (name.StartsWith("Endpoint=", StringComparison.OrdinalIgnoreCase))
        {
            throw Bad(nameof(FullyQualifiedNamespace), "holds a connection string; put it in MetaRec:ServiceBus:ConnectionString, or give the host name {namespace}.servicebus.windows.net here");
        }
        if (name.Contains("://", StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal) || Uri.CheckHostName(name) != UriHostNameType.Dns || !name.Contains('.', StringComparison.Ordinal))
        {
            throw Bad(nameof(FullyQualifiedNamespace), $"must be a host name such as mynamespace.servicebus.windows.net (no scheme, no path), not '{FullyQualifiedNamespace}'");
        }
    }

    private void ValidateConnectionString()
    {
        ServiceBusConnectionStringProperties properties;
        try
        {
            properties = ServiceBusConnectionStringProperties.Parse(ConnectionString);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // The SDK's message never holds the key; the connection string itself is not repeated.
            throw new ArgumentException($"MetaRec:ServiceBus:ConnectionString is not a Service Bus connection string: {e.Message}", nameof(ConnectionString), e);
        }
        if (properties.Endpoint is null)
        {
            throw Bad(nameof(ConnectionString), "has no Endpoint=sb://{namespace}.servicebus.windows.net/");
        }
        if (properties.SharedAccessSignature is null && (properties.SharedAccessKeyName is null || properties.SharedAccessKey is null))
        {
            throw Bad(nameof(ConnectionString), "has no SharedAccessKeyName and SharedAccessKey (nor a SharedAccessSignature)");
        }
        if (!string.IsNullOrEmpty(properties.EntityPath) && !string.Equals(properties.EntityPath, EntityName, StringComparison.OrdinalIgnoreCase))
        {
            throw Bad(nameof(EntityName), $"is '{EntityName}' but MetaRec:ServiceBus:ConnectionString is scoped to EntityPath '{properties.EntityPath}'");
        }
    }

    private static void AtLeast(int value, int least, string name)
    {
        if (value < least)
        {
            throw Bad(name, $"must be at least {least}, not {value}");
        }
    }

    private static ArgumentException Bad(string name, string problem) => new($"{Section}:{name} {problem}", name);
}
