using MetaRec.Functions.Generation;
using MetaRec.Functions.Timers;
using MetaRec.Storage;
using MetaRec.Storage.Registry;

namespace MetaRec.Functions;

/// <summary>
/// Every setting of the app, bound from configuration section <c>MetaRec</c> (environment:
/// <c>MetaRec__Family</c>, …). <see cref="Validate"/> names the bad setting.
/// </summary>
public sealed class FunctionAppOptions
{
    public const string Section = "MetaRec";

    /// <summary>The model family served (its active version in the registry).</summary>
    public string Family { get; set; } = "limaml";

    public StorageOptions Storage { get; set; } = new();

    public ScoringOptions Scoring { get; set; } = new();

    public InteractionOptions Interactions { get; set; } = new();

    public AuthOptions Auth { get; set; } = new();

    /// <summary>Request size and rate limits on the /api routes, under either host.</summary>
    public Http.LimitOptions Limits { get; set; } = new();

    public StandaloneOptions Standalone { get; set; } = new();

    public TimerOptions Timers { get; set; } = new();

    /// <summary>The training pipeline (the training-run API, the orchestration's pacing, the job).</summary>
    public Training.TrainingOptions Training { get; set; } = new();

    /// <summary>The standalone host's Durable backend (the Functions host configures its own in host.json).</summary>
    public Standalone.Durable.DurableOptions Durable { get; set; } = new();

    /// <summary>Scheduled generation (the <c>GenerateServingModel</c> timer function).</summary>
    public GenerationOptions Generation { get; set; } = new();

    /// <summary>How often each instance checks the active pointer for a new version.</summary>
    public TimeSpan ModelPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        Storage.Validate();
        try
        {
            StorageNames.Family(Family);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"MetaRec:Family: {e.Message}", nameof(Family), e);
        }
        Scoring.Validate();
        Interactions.Validate();
        Limits.Validate();
        Standalone.Validate();
        Timers.Validate();
        TimerFunctionOptions.ValidateEach(this, Section);
        Generation.Validate();
        Training.Validate();
        Durable.Validate();
        if (Storage.Backend == "azure" && string.IsNullOrWhiteSpace(Storage.ConnectionString) && Standalone.Trigger == "queue")
        {
            throw new ArgumentException("MetaRec:Standalone:Trigger queue needs MetaRec:Storage:ConnectionString (the standalone queues use it)", nameof(Standalone));
        }
        if (Storage.Backend == "folder" && Standalone.Trigger == "queue")
        {
            throw new ArgumentException("MetaRec:Standalone:Trigger queue needs MetaRec:Storage:Backend azure (Azurite or an account)", nameof(Standalone));
        }
        if (ModelPollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"MetaRec:ModelPollInterval must be positive, not {ModelPollInterval}", nameof(ModelPollInterval));
        }
    }
}

public sealed class ScoringOptions
{
    /// <summary>Largest k a recommendation request may ask for.</summary>
    public int MaxK { get; set; } = 100;

    /// <summary>Most candidate items one score request may carry.</summary>
    public int MaxCandidates { get; set; } = 1000;

    /// <summary>Model calls (scoring and refresh) running at once; each uses one libtorch thread. 0: one per core.</summary>
    public int Concurrency { get; set; }

    /// <summary>Users whose state stays in memory (least recently used dropped first).</summary>
    public int CacheCapacity { get; set; } = 100_000;

    /// <summary>
    /// Longest a user's state is served from this instance's memory before it is read from the
    /// store again: the bound on how long a state another instance wrote (events it applied) can
    /// go unseen here.
    /// </summary>
    public TimeSpan CacheMaxAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Personalized recommendation lists kept in memory (LRU); 0 turns the result cache off.</summary>
    public int ResultCacheCapacity { get; set; } = 100_000;

    public void Validate()
    {
        Positive(MaxK, "MetaRec:Scoring:MaxK");
        Positive(MaxCandidates, "MetaRec:Scoring:MaxCandidates");
        Positive(CacheCapacity, "MetaRec:Scoring:CacheCapacity");
        if (CacheMaxAge <= TimeSpan.Zero)
        {
            throw new ArgumentException($"MetaRec:Scoring:CacheMaxAge must be positive, not {CacheMaxAge}", nameof(CacheMaxAge));
        }
        if (ResultCacheCapacity < 0)
        {
            throw new ArgumentException($"MetaRec:Scoring:ResultCacheCapacity must be 0 (off) or more, not {ResultCacheCapacity}", nameof(ResultCacheCapacity));
        }
        if (Concurrency < 0)
        {
            throw new ArgumentException($"MetaRec:Scoring:Concurrency must be 0 (one per core) or more, not {Concurrency}", nameof(Concurrency));
        }
    }

    internal static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException($"{name} must be at least 1, not {value}", name);
        }
    }
}

public sealed class InteractionOptions
{
    /// <summary>Recent interactions kept per user: the support set a refresh adapts on.</summary>
    public int WindowSize { get; set; } = 100;

    /// <summary>A rating at or above this is a positive example (the protocol's label rule).</summary>
    public float PositiveRating { get; set; } = 4f;

    /// <summary>At most one refresh per user within this interval; later events wait for the next one.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public void Validate()
    {
        ScoringOptions.Positive(WindowSize, "MetaRec:Interactions:WindowSize");
        if (!float.IsFinite(PositiveRating))
        {
            throw new ArgumentException("MetaRec:Interactions:PositiveRating must be a finite number", nameof(PositiveRating));
        }
        if (RefreshInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"MetaRec:Interactions:RefreshInterval must not be negative, not {RefreshInterval}", nameof(RefreshInterval));
        }
    }
}

public sealed class AuthOptions
{
    /// <summary>Standalone only: the key callers send in <see cref="Header"/>. Empty: no check (a warning is logged).</summary>
    public string ApiKey { get; set; } = string.Empty;

    public string Header { get; set; } = "x-api-key";
}

public sealed class StandaloneOptions
{
    /// <summary><c>channel</c> (in-process, embedded default) or <c>queue</c> (an Azure Storage queue; needs the azure storage backend).</summary>
    public string Trigger { get; set; } = "channel";

    public string QueueName { get; set; } = "interactions";

    /// <summary>Where poison messages of a batch go: a queue (azure backend) or <c>deadletter/{name}.jsonl</c> in the folder.</summary>
    public string DeadLetterName { get; set; } = "interactions-deadletter";

    /// <summary>Messages handed to one Interactions invocation.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Deliveries of a failing message before it moves to the poison queue (the Functions default is 5).</summary>
    public int MaxDeliveryCount { get; set; } = 5;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Queue trigger: how long a received message stays invisible. A batch cut off by a crash or
    /// a storage outage is delivered again after it, so it bounds the recovery; it must exceed
    /// the longest batch.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public void Validate()
    {
        if (VisibilityTimeout < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"MetaRec:Standalone:VisibilityTimeout must be at least 1 second, not {VisibilityTimeout}", nameof(VisibilityTimeout));
        }
        if (Trigger is not ("channel" or "queue"))
        {
            throw new ArgumentException($"MetaRec:Standalone:Trigger must be channel or queue, not '{Trigger}'", nameof(Trigger));
        }
        ScoringOptions.Positive(BatchSize, "MetaRec:Standalone:BatchSize");
        ScoringOptions.Positive(MaxDeliveryCount, "MetaRec:Standalone:MaxDeliveryCount");
        if (BatchSize > 32 && Trigger == "queue")
        {
            throw new ArgumentException("MetaRec:Standalone:BatchSize is at most 32 with the queue trigger (the Storage queue limit)", nameof(BatchSize));
        }
    }
}

public sealed class TimerOptions
{
    public const string HostTimeZoneSetting = "WEBSITE_TIME_ZONE";

    /// <summary>Standalone: run the timer functions on their schedules (under the host, its timer triggers do).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Standalone: the zone schedules are read in, an IANA id (<c>Europe/Berlin</c>); Windows ids
    /// (<c>W. Europe Standard Time</c>) only on Windows, as the app runs without ICU. Empty: the
    /// <c>WEBSITE_TIME_ZONE</c> app setting (what the Functions host reads) if set, else UTC.
    /// </summary>
    public string TimeZone { get; set; } = string.Empty;

    /// <summary>The <c>WEBSITE_TIME_ZONE</c> app setting; Program sets it in standalone mode (not bound from the section).</summary>
    internal string? HostTimeZone { get; set; }

    /// <exception cref="ArgumentException">Naming the setting whose zone this machine does not know.</exception>
    public TimeZoneInfo Zone()
    {
        var (setting, id) = !string.IsNullOrWhiteSpace(TimeZone) ? ("MetaRec:Timers:TimeZone", TimeZone)
            : !string.IsNullOrWhiteSpace(HostTimeZone) ? (HostTimeZoneSetting, HostTimeZone)
            : (null, null);
        if (id is null)
        {
            return TimeZoneInfo.Utc;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException($"{setting} '{id}' is not a time zone this machine knows; use an IANA id such as Europe/Berlin (Windows ids resolve only on Windows)", nameof(TimeZone), e);
        }
    }

    public void Validate() => _ = Zone();
}
