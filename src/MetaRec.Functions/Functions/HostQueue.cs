using Azure.Identity;
using Azure.Storage.Queues;

namespace MetaRec.Functions.Functions;

/// <summary>
/// Under the Functions host, the Storage queue the Events function writes to and the Interactions
/// function's trigger reads: on the host's storage, <c>AzureWebJobsStorage</c>, as a connection
/// string or, identity-based, as <c>AzureWebJobsStorage__accountName</c> (or
/// <c>__queueServiceUri</c>) with <c>__clientId</c> for a user-assigned identity. Messages are
/// base64, as the host's queue trigger expects.
/// </summary>
public static class HostQueue
{
    public const string Connection = "AzureWebJobsStorage";

    public static QueueClient Create(IConfiguration configuration, string queueName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (configuration[Connection] is { Length: > 0 } connectionString)
        {
            return new QueueClient(connectionString, queueName, options);
        }
        var section = configuration.GetSection(Connection);
        var service = section["queueServiceUri"] is { Length: > 0 } uri ? new Uri(uri)
            : section["accountName"] is { Length: > 0 } account ? new Uri($"https://{account}.queue.core.windows.net")
            : throw new ArgumentException($"{Connection} is not set: give a connection string, or {Connection}__accountName (or __queueServiceUri) for an identity", Connection);
        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] is { Length: > 0 } id ? id : null });
        return new QueueClient(new Uri(service, queueName), credential, options);
    }
}
