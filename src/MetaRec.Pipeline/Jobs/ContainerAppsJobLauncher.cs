using System.Net;
using Azure.Core;
using Azure.Identity;

namespace MetaRec.Pipeline.Jobs;

/// <summary>
/// <c>aca</c>: each attempt is one execution of an Azure Container Apps job, started, read and
/// stopped through the ARM REST API (Microsoft.App/jobs, <see cref="ContainerAppsJobOptions.ApiVersion"/>).
/// The job id is the execution name. The execution's template carries
/// <c>METAREC_JOB_ATTEMPT={spec.Name}</c>, which is how <see cref="FindAsync"/> recognises an
/// attempt's execution after a crash. ARM errors surface as <see cref="ArmRequestException"/>;
/// 429 and 5xx are retried with backoff that honours Retry-After. See
/// <see cref="JobExecutionStatus"/> for how ARM's statuses map.
/// </summary>
public sealed class ContainerAppsJobLauncher : IJobLauncher
{
    private readonly ContainerAppsJobOptions _options;
    private readonly ArmClient _arm;
    private readonly TimeProvider _time;

    /// <param name="options">Validated here; a bad setting throws an <see cref="ArgumentException"/> naming it.</param>
    /// <param name="http">Sends the requests; the caller owns it.</param>
    /// <param name="credential">Token source for ARM; default <see cref="DefaultAzureCredential"/>.</param>
    /// <param name="time">Clock for retry waits and token expiry; default the system clock.</param>
    public ContainerAppsJobLauncher(ContainerAppsJobOptions options, HttpClient http, TokenCredential? credential = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _arm = new ArmClient(http, credential ?? new DefaultAzureCredential(), options, _time);
    }

    public string Name => "aca";

    public async Task<string> StartAsync(JobSpec spec, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var job = await _arm.SendAsync($"read job {_options.JobName}", HttpMethod.Get, JobUri(string.Empty), null, retryServerErrors: true, cancellation).ConfigureAwait(false);
        var body = JobExecutionTemplate.ForAttempt(job.Body, spec, _options);
        var operation = $"start job {_options.JobName} for {spec.Name}";
        ArmResponse started;
        for (var retry = 0; ; retry++)
        {
            try
            {
                // 429 is retried inside (nothing was started); a 5xx comes back here.
                started = await _arm.SendAsync(operation, HttpMethod.Post, JobUri("/start"), body, retryServerErrors: false, cancellation).ConfigureAwait(false);
                break;
            }
            catch (ArmRequestException e) when ((int?)e.StatusCode >= 500 && _arm.WaitBeforeRetry(e, retry) is { } wait)
            {
                // A 5xx may arrive after ARM created the execution: look before starting a second one.
                if (await FindAsync(spec, cancellation).ConfigureAwait(false) is { } existing)
                {
                    return existing;
                }
                await Task.Delay(wait, _time, cancellation).ConfigureAwait(false);
            }
        }
        return ExecutionName(started) ?? await FollowAcceptedStartAsync(operation, spec, started, cancellation).ConfigureAwait(false);
    }

    public async Task<string?> FindAsync(JobSpec spec, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string? found = null;
        DateTimeOffset? foundStarted = null;
        await foreach (var execution in _arm.ListAsync($"list executions of job {_options.JobName}", JobUri("/executions"), cancellation).ConfigureAwait(false))
        {
            if (!JobExecutionTemplate.CarriesAttempt(execution, spec.Name) || JobExecutionTemplate.Text(execution["name"]) is not { } name)
            {
                continue;
            }
            // One execution per attempt is the rule; should there be more, the newest is the one that counts.
            var started = JobExecutionStatus.Time(execution["properties"]?["startTime"]);
            if (found is null || started > foundStarted)
            {
                (found, foundStarted) = (name, started);
            }
        }
        return found;
    }

    public async Task<JobState> GetAsync(string jobId, CancellationToken cancellation = default)
    {
        var uri = ExecutionUri(jobId, string.Empty);
        var execution = await _arm.SendAsync($"get execution {jobId} of job {_options.JobName}", HttpMethod.Get, uri, null, retryServerErrors: true, cancellation).ConfigureAwait(false);
        return JobExecutionStatus.Map(execution.Body, jobId);
    }

    public async Task StopAsync(string jobId, CancellationToken cancellation = default)
    {
        var uri = ExecutionUri(jobId, "/stop");
        try
        {
            await _arm.SendAsync($"stop execution {jobId} of job {_options.JobName}", HttpMethod.Post, uri, null, retryServerErrors: true, cancellation).ConfigureAwait(false);
        }
        catch (ArmRequestException e) when (!e.IsTransient && e.StatusCode != HttpStatusCode.NotFound)
        {
            // ARM may refuse to stop an execution that has ended; that is not an error here.
            var state = await GetAsync(jobId, cancellation).ConfigureAwait(false);
            if (state.Status == JobStatus.Running)
            {
                throw;
            }
        }
    }

    /// <summary>
    /// ARM answered the start 202 Accepted: poll its Location until the execution is named, then
    /// as a last resort look the attempt up by its marker.
    /// </summary>
    private async Task<string> FollowAcceptedStartAsync(string operation, JobSpec spec, ArmResponse accepted, CancellationToken cancellation)
    {
        var deadline = _time.GetUtcNow() + _options.StartTimeout;
        var response = accepted;
        var location = accepted.Location is { } first ? _arm.Follow(operation, first.AbsoluteUri) : null;
        while (response.Status == HttpStatusCode.Accepted && location is not null && _time.GetUtcNow() < deadline)
        {
            var wait = response.RetryAfter ?? _options.PollInterval;
            await Task.Delay(wait < _options.MaxRetryDelay ? wait : _options.MaxRetryDelay, _time, cancellation).ConfigureAwait(false);
            response = await _arm.SendAsync(operation + " (polling the accepted start)", HttpMethod.Get, location, null, retryServerErrors: true, cancellation).ConfigureAwait(false);
            if (ExecutionName(response) is { } name)
            {
                return name;
            }
            location = response.Location is { } next ? _arm.Follow(operation, next.AbsoluteUri) : location;
        }
        return await FindAsync(spec, cancellation).ConfigureAwait(false)
            ?? throw new InvalidOperationException(
                $"aca {operation}: ARM accepted the start but named no execution (last answer {(int)response.Status}), and none carries {JobSpec.AttemptVariable}={spec.Name} yet");
    }

    /// <summary>
    /// The execution named by a final answer (JobExecutionBase: name and id). A 202 names nothing
    /// yet, and a body with a status is an operation's, whose name is the operation's.
    /// </summary>
    private static string? ExecutionName(ArmResponse response) =>
        response.Status == HttpStatusCode.Accepted || response.Body?["status"] is not null ? null
        : JobExecutionTemplate.Text(response.Body?["name"]) is { } name && ContainerAppsJobOptions.ArmNamePattern().IsMatch(name) ? name
        : null;

    private Uri JobUri(string suffix) => new(_options.BaseUrl,
        $"subscriptions/{Escape(_options.SubscriptionId)}/resourceGroups/{Escape(_options.ResourceGroup)}" +
        $"/providers/Microsoft.App/jobs/{Escape(_options.JobName)}{suffix}?api-version={Escape(_options.ApiVersion)}");

    private Uri ExecutionUri(string jobId, string suffix)
    {
        if (string.IsNullOrEmpty(jobId) || !ContainerAppsJobOptions.ArmNamePattern().IsMatch(jobId))
        {
            throw new ArgumentException($"'{jobId}' is not a Container Apps job execution name", nameof(jobId));
        }
        return JobUri($"/executions/{Escape(jobId)}{suffix}");
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
