namespace MetaRec.Functions.Standalone.Durable;

/// <summary>
/// The standalone host's Durable backend (<c>MetaRec:Durable</c>): the Durable Task Framework on
/// Azure Storage, the same backend the Functions host's Durable extension uses by default.
/// Under the Functions host these settings are not read: host.json's <c>durableTask</c> section
/// and <c>AzureWebJobsStorage</c> configure it.
/// </summary>
public sealed class DurableOptions
{
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";

    /// <summary>The storage account of the task hub; empty: the app's storage account when it is on Azure, else Azurite at its default ports.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The task hub's name (its queues, tables and leases are prefixed with it): letters and digits, 3–45, starting with a letter.</summary>
    public string TaskHub { get; set; } = "metarec";

    /// <summary>
    /// How long a worker's claim on a control queue message lasts: after a crash, the run resumes
    /// on restart once this has passed (the framework's default is 5 minutes).
    /// </summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a worker's claim on an activity message lasts; a running activity renews it, so
    /// after a crash mid-activity the activity runs again once this has passed (the framework's
    /// default is 5 minutes).
    /// </summary>
    public TimeSpan WorkItemQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait between two polls of an idle queue.</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// With the development storage connection and nothing listening on 127.0.0.1:10000, start
    /// Azurite as a child process (the embedded default). Off: training needs a running Azurite or an account.
    /// </summary>
    public bool StartAzurite { get; set; } = true;

    /// <summary>The Azurite launcher; empty: <c>AZURITE_BIN</c>, then <c>azurite</c> on PATH, then the repository's pinned copy (<c>tests/MetaRec.Testing/node_modules/.bin/azurite</c>).</summary>
    public string Azurite { get; set; } = string.Empty;

    /// <summary>Where a started Azurite keeps its data; empty: <c>azurite/</c> in the storage folder.</summary>
    public string AzuriteFolder { get; set; } = string.Empty;

    /// <summary>The connection the backend uses, given the app's storage settings.</summary>
    public string Connection(MetaRec.Storage.StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return ConnectionString.Length > 0 ? ConnectionString
            : storage.Backend == "azure" && !string.IsNullOrEmpty(storage.ConnectionString) ? storage.ConnectionString
            : DevelopmentStorage;
    }

    public void Validate()
    {
        if (TaskHub.Length is < 3 or > 45 || !char.IsAsciiLetter(TaskHub[0]) || !TaskHub.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"MetaRec:Durable:TaskHub must be 3–45 letters and digits starting with a letter, not '{TaskHub}'", nameof(TaskHub));
        }
        if (ControlQueueVisibilityTimeout < TimeSpan.FromSeconds(5))
        {
            throw new ArgumentException($"MetaRec:Durable:ControlQueueVisibilityTimeout must be at least 5 seconds, not {ControlQueueVisibilityTimeout}", nameof(ControlQueueVisibilityTimeout));
        }
        if (WorkItemQueueVisibilityTimeout < TimeSpan.FromSeconds(5))
        {
            throw new ArgumentException($"MetaRec:Durable:WorkItemQueueVisibilityTimeout must be at least 5 seconds, not {WorkItemQueueVisibilityTimeout}", nameof(WorkItemQueueVisibilityTimeout));
        }
        if (MaxQueuePollingInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"MetaRec:Durable:MaxQueuePollingInterval must be positive, not {MaxQueuePollingInterval}", nameof(MaxQueuePollingInterval));
        }
    }
}
