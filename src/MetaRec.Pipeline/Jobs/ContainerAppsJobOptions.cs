using System.Text.RegularExpressions;

namespace MetaRec.Pipeline.Jobs;

/// <summary>
/// Where the <c>aca</c> launcher starts training jobs: an existing Azure Container Apps job (manual
/// trigger, GPU workload profile) whose template has a container running the training image.
/// Each attempt is one execution of that job with the container's <c>args</c> and <c>env</c>
/// overridden. <see cref="Validate"/> names the bad setting.
/// </summary>
public sealed partial record ContainerAppsJobOptions
{
    /// <summary>The configuration section these settings are documented under.</summary>
    public const string Section = "MetaRec:Training:ContainerApps";

    /// <summary>The Microsoft.App api-version (GA) used for every request. Default 2026-07-01.</summary>
    public const string DefaultApiVersion = "2026-07-01";

    /// <summary>Subscription id (a GUID) that holds the job.</summary>
    public string SubscriptionId { get; init; } = string.Empty;

    /// <summary>Resource group that holds the job.</summary>
    public string ResourceGroup { get; init; } = string.Empty;

    /// <summary>Name of the Container Apps job (Microsoft.App/jobs).</summary>
    public string JobName { get; init; } = string.Empty;

    /// <summary>The container in the job's template that runs <c>metarec</c>; its args and env are overridden per attempt.</summary>
    public string ContainerName { get; init; } = string.Empty;

    /// <summary>Image for that container (e.g. a registry's <c>metarec-train:cuda-1.4</c>); null keeps the job template's image.</summary>
    public string? Image { get; init; }

    /// <summary>api-version query parameter. Default <see cref="DefaultApiVersion"/>.</summary>
    public string ApiVersion { get; init; } = DefaultApiVersion;

    /// <summary>Azure Resource Manager endpoint. Default https://management.azure.com (tests point it at a local server).</summary>
    public Uri BaseUrl { get; init; } = new("https://management.azure.com");

    /// <summary>Retries of a request answered 429 or 5xx. Default 4.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>First wait before a retry when ARM sends no Retry-After; doubles on each retry. Default 2 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Longest wait before a retry. A Retry-After longer than this is not waited out in-process:
    /// the error surfaces and the activity's retry policy tries again. Default 60 s.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Wait between polls of a start that ARM answered 202 Accepted, when it sends no Retry-After. Default 2 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a start answered 202 Accepted is followed before giving up. Default 2 min.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that is wrong.</summary>
    public void Validate()
    {
        if (!Guid.TryParse(SubscriptionId, out _))
        {
            throw Bad(nameof(SubscriptionId), $"must be a subscription id (a GUID), not '{SubscriptionId}'");
        }
        if (ResourceGroup.Length is < 1 or > 90 || !ArmNamePattern().IsMatch(ResourceGroup) || ResourceGroup.EndsWith('.'))
        {
            throw Bad(nameof(ResourceGroup), $"must be a resource group name (1–90 letters, digits, '-', '_', '.', '(', ')', not ending in '.'), not '{ResourceGroup}'");
        }
        if (!ArmNamePattern().IsMatch(JobName))
        {
            throw Bad(nameof(JobName), $"must be a Container Apps job name, not '{JobName}'");
        }
        if (!ArmNamePattern().IsMatch(ContainerName))
        {
            throw Bad(nameof(ContainerName), $"must name the job template's container, not '{ContainerName}'");
        }
        if (Image is not null && (Image.Length == 0 || Image.Any(char.IsWhiteSpace)))
        {
            throw Bad(nameof(Image), $"must be an image reference or unset (keep the template's), not '{Image}'");
        }
        if (!ApiVersionPattern().IsMatch(ApiVersion))
        {
            throw Bad(nameof(ApiVersion), $"must be a date like {DefaultApiVersion}, not '{ApiVersion}'");
        }
        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttps && BaseUrl.Scheme != Uri.UriSchemeHttp) || BaseUrl.AbsolutePath != "/")
        {
            throw Bad(nameof(BaseUrl), $"must be an http(s) URL with no path, like https://management.azure.com, not '{BaseUrl}'");
        }
        if (MaxRetries is < 0 or > 20)
        {
            throw Bad(nameof(MaxRetries), $"must be 0 to 20, not {MaxRetries}");
        }
        Positive(RetryDelay, nameof(RetryDelay));
        Positive(MaxRetryDelay, nameof(MaxRetryDelay));
        Positive(PollInterval, nameof(PollInterval));
        Positive(StartTimeout, nameof(StartTimeout));
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw Bad(name, $"must be positive, not {value}");
        }
    }

    private static ArgumentException Bad(string name, string problem) => new($"{Section}:{name} {problem}", name);

    // ARM's pattern for resource group, job and execution names: ^[-\w\._\(\)]+$
    [GeneratedRegex(@"^[-\w._()]+$")]
    internal static partial Regex ArmNamePattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?$")]
    private static partial Regex ApiVersionPattern();
}
