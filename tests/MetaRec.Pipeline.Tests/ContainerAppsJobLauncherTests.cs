using System.Diagnostics;
using System.Net;
using Azure.Core;
using MetaRec.Pipeline.Jobs;

namespace MetaRec.Pipeline.Tests;

/// <summary>
/// The <c>aca</c> launcher against a real HTTP server on loopback that checks the ARM request
/// shapes (path, api-version, bearer token, JobExecutionTemplate body) and answers as the ARM
/// reference documents.
/// </summary>
public sealed class ContainerAppsJobLauncherTests : IAsyncLifetime
{
    private static readonly JobSpec Attempt1 = new("run-7", 1, ["train", "--family", "mpp", "--data", "/data/run-7"],
        new Dictionary<string, string> { ["MetaRec__Storage__Backend"] = "azure", ["METAREC_RUN"] = "run-7" });

    private readonly FixedToken _credential = new(ArmJobsServer.Token);
    private readonly HttpClient _http = new();
    private ArmJobsServer _arm = null!;

    public async Task InitializeAsync() => _arm = await ArmJobsServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _arm.DisposeAsync();
    }

    private ContainerAppsJobLauncher Launcher(ContainerAppsJobOptions? options = null) => new(options ?? _arm.Options(), _http, _credential);

    [Fact]
    public async Task Start_runs_the_jobs_container_with_the_attempts_args_env_and_marker_and_get_follows_it_to_succeeded()
    {
        var launcher = Launcher();
        Assert.Equal("aca", launcher.Name);

        var id = await launcher.StartAsync(Attempt1);

        var trainer = Assert.Single(_arm.LastStartBody!["containers"]!.AsArray())!;
        Assert.Equal(ArmJobsServer.Container, trainer["name"]!.GetValue<string>());
        Assert.Equal(ArmJobsServer.Image, trainer["image"]!.GetValue<string>());
        Assert.Equal(Attempt1.Arguments, trainer["args"]!.AsArray().Select(a => a!.GetValue<string>()));
        var env = trainer["env"]!.AsArray().ToDictionary(v => v!["name"]!.GetValue<string>(), v => v!["value"]?.GetValue<string>() ?? "secret:" + v!["secretRef"]);
        Assert.Equal("1", env["STATIC"]); // the template's own variables stay
        Assert.Equal("secret:storage-key", env["STORAGE_KEY"]);
        Assert.Equal("azure", env["MetaRec__Storage__Backend"]); // the attempt's win over the template's
        Assert.Equal("run-7", env["METAREC_RUN"]);
        Assert.Equal("run-7-a1", env[JobSpec.AttemptVariable]);
        Assert.Equal(24, trainer["resources"]!["cpu"]!.GetValue<int>()); // the GPU profile's size travels with the start
        Assert.Equal("220Gi", trainer["resources"]!["memory"]!.GetValue<string>());

        var states = new List<JobState>();
        for (var read = 0; read < 10 && (states.Count == 0 || states[^1].Status == JobStatus.Running); read++)
        {
            states.Add(await launcher.GetAsync(id));
        }
        Assert.Equal([JobStatus.Running, JobStatus.Running, JobStatus.Succeeded], states.Select(s => s.Status));
        Assert.Equal(0, states[^1].ExitCode);
        Assert.Contains($"execution {id}: Succeeded", states[^1].Detail, StringComparison.Ordinal);
        Assert.Empty(_arm.Rejections);
        Assert.Equal(["https://management.azure.com/.default"], _credential.Scopes.Distinct());
    }

    [Fact]
    public async Task Find_after_a_crash_returns_the_attempts_execution_across_pages_and_none_for_another_attempt()
    {
        _arm.Seed("metarec-train-old1", "Succeeded", "run-6-a1");
        _arm.Seed("metarec-train-old2", "Failed", "run-7-a0");
        _arm.Seed("metarec-train-cron", "Succeeded", null);
        var id = await Launcher().StartAsync(Attempt1);
        _arm.Seed("metarec-train-old3", "Succeeded", "run-5-a2");
        _arm.Seed("metarec-train-old4", "Stopped", "run-5-a1");

        // The app crashed after starting; a new instance with a new client asks before starting again.
        using var http = new HttpClient();
        var restarted = new ContainerAppsJobLauncher(_arm.Options(), http, new FixedToken(ArmJobsServer.Token));
        Assert.Equal(id, await restarted.FindAsync(Attempt1));
        Assert.Null(await restarted.FindAsync(Attempt1 with { Attempt = 2 }));
        Assert.Contains(_arm.Requests, r => r.Contains("/executions?", StringComparison.Ordinal) && r.Contains("$skiptoken=4", StringComparison.Ordinal));
        Assert.Equal(1, _arm.ExecutionsOf("run-7-a1"));
        Assert.Empty(_arm.Rejections);
    }

    [Fact]
    public async Task A_nextLink_off_the_ARM_host_is_not_followed_with_the_token()
    {
        _arm.Seed("metarec-train-old1", "Succeeded", "run-6-a1");
        _arm.Seed("metarec-train-old2", "Succeeded", "run-6-a2");
        _arm.Seed("metarec-train-old3", "Succeeded", "run-6-a3");
        _arm.NextLinkBase = new Uri("http://localhost:9/");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Launcher().FindAsync(Attempt1));

        Assert.Contains("http://localhost:9/", error.Message, StringComparison.Ordinal);
        Assert.Single(_arm.Requests);
    }

    [Fact]
    public async Task Stop_stops_a_running_execution_and_leaves_a_finished_one_as_it_is()
    {
        var launcher = Launcher();
        var running = await launcher.StartAsync(Attempt1);
        await launcher.StopAsync(running);
        Assert.Equal(JobStatus.Stopped, (await launcher.GetAsync(running)).Status);

        _arm.RunningReads = 0;
        var finished = await launcher.StartAsync(Attempt1 with { Attempt = 2 });
        Assert.Equal(JobStatus.Succeeded, (await launcher.GetAsync(finished)).Status);
        await launcher.StopAsync(finished); // ARM refuses (this stand-in answers 400); the launcher sees it ended
        Assert.Equal(JobStatus.Succeeded, (await launcher.GetAsync(finished)).Status);
        Assert.Empty(_arm.Rejections);
    }

    [Fact]
    public async Task An_ARM_error_surfaces_with_the_operation_status_code_and_message()
    {
        var error = await Assert.ThrowsAsync<ArmRequestException>(() => Launcher().GetAsync("metarec-train-gone"));
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal("ResourceNotFound", error.ErrorCode);
        Assert.Contains("executions/metarec-train-gone", error.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("get execution metarec-train-gone", error.Message, StringComparison.Ordinal);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
        Assert.Contains("ResourceNotFound", error.Message, StringComparison.Ordinal);

        var noJob = await Assert.ThrowsAsync<ArmRequestException>(() => Launcher(_arm.Options("no-such-job")).StartAsync(Attempt1));
        Assert.Equal("ResourceNotFound", noJob.ErrorCode);
        Assert.Contains("read job no-such-job", noJob.Message, StringComparison.Ordinal);
        Assert.Empty(_arm.Rejections);
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_retried_after_the_wait_ARM_asked_for()
    {
        var launcher = Launcher();
        var id = await launcher.StartAsync(Attempt1);
        _arm.Fail("GET", $"/executions/{id}", HttpStatusCode.TooManyRequests, "TooManyRequests", "Rate limit exceeded.", retryAfterSeconds: 1);

        var clock = Stopwatch.StartNew();
        var state = await launcher.GetAsync(id);

        Assert.Equal(JobStatus.Running, state.Status);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.Elapsed}, before the 1 s ARM asked for");
        Assert.Equal(2, _arm.Requests.Count(r => r.StartsWith($"GET /subscriptions/{ArmJobsServer.Subscription}/resourceGroups/{ArmJobsServer.ResourceGroup}/providers/Microsoft.App/jobs/{ArmJobsServer.Job}/executions/{id}?", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Server_errors_are_retried_MaxRetries_times_then_surface()
    {
        var launcher = Launcher(_arm.Options() with { MaxRetries = 2 });
        var id = await launcher.StartAsync(Attempt1);
        _arm.Fail("GET", $"/executions/{id}", HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "The service is unavailable.", times: 3);

        var error = await Assert.ThrowsAsync<ArmRequestException>(() => launcher.GetAsync(id));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(3, _arm.Requests.Count(r => r.Contains($"/executions/{id}?", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_start_answered_202_is_polled_at_its_Location_until_the_execution_is_named()
    {
        _arm.AcceptStarts = 2;

        var id = await Launcher().StartAsync(Attempt1);

        Assert.Equal(1, _arm.ExecutionsOf("run-7-a1"));
        Assert.Equal(3, _arm.Requests.Count(r => r.Contains("/containerappOperationResults/", StringComparison.Ordinal)));
        Assert.Equal(JobStatus.Running, (await Launcher().GetAsync(id)).Status);
        Assert.Empty(_arm.Rejections);
    }

    [Fact]
    public async Task A_5xx_on_start_after_ARM_created_the_execution_returns_it_instead_of_starting_a_second()
    {
        _arm.FailStartsAfterCreating = 1;

        var id = await Launcher().StartAsync(Attempt1);

        Assert.Equal(1, _arm.ExecutionsOf("run-7-a1"));
        Assert.Equal(id, await Launcher().FindAsync(Attempt1));
        Assert.Single(_arm.Requests, r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("/start?", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(nameof(ContainerAppsJobOptions.SubscriptionId))]
    [InlineData(nameof(ContainerAppsJobOptions.ResourceGroup))]
    [InlineData(nameof(ContainerAppsJobOptions.JobName))]
    [InlineData(nameof(ContainerAppsJobOptions.ContainerName))]
    [InlineData(nameof(ContainerAppsJobOptions.Image))]
    [InlineData(nameof(ContainerAppsJobOptions.ApiVersion))]
    [InlineData(nameof(ContainerAppsJobOptions.BaseUrl))]
    [InlineData(nameof(ContainerAppsJobOptions.MaxRetries))]
    [InlineData(nameof(ContainerAppsJobOptions.RetryDelay))]
    [InlineData(nameof(ContainerAppsJobOptions.PollInterval))]
    [InlineData(nameof(ContainerAppsJobOptions.StartTimeout))]
    public void Bad_options_are_refused_naming_the_setting(string setting)
    {
        var good = _arm.Options();
        var bad = setting switch
        {
            nameof(ContainerAppsJobOptions.SubscriptionId) => good with { SubscriptionId = "my-subscription" },
            nameof(ContainerAppsJobOptions.ResourceGroup) => good with { ResourceGroup = "" },
            nameof(ContainerAppsJobOptions.JobName) => good with { JobName = "jobs/other" },
            nameof(ContainerAppsJobOptions.ContainerName) => good with { ContainerName = " " },
            nameof(ContainerAppsJobOptions.Image) => good with { Image = "two words" },
            nameof(ContainerAppsJobOptions.ApiVersion) => good with { ApiVersion = "latest" },
            nameof(ContainerAppsJobOptions.BaseUrl) => good with { BaseUrl = new Uri("https://management.azure.com/subscriptions/") },
            nameof(ContainerAppsJobOptions.MaxRetries) => good with { MaxRetries = -1 },
            nameof(ContainerAppsJobOptions.RetryDelay) => good with { RetryDelay = TimeSpan.Zero },
            nameof(ContainerAppsJobOptions.PollInterval) => good with { PollInterval = TimeSpan.FromSeconds(-1) },
            _ => good with { StartTimeout = TimeSpan.Zero },
        };

        var error = Assert.Throws<ArgumentException>(() => Launcher(bad));

        Assert.Equal(setting, error.ParamName);
        Assert.StartsWith($"{ContainerAppsJobOptions.Section}:{setting} ", error.Message, StringComparison.Ordinal);
        good.Validate();
    }

    [Fact]
    public async Task A_spec_that_sets_the_attempt_marker_to_something_else_is_refused()
    {
        var spec = Attempt1 with { Environment = new Dictionary<string, string> { [JobSpec.AttemptVariable] = "run-1-a1" } };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Launcher().StartAsync(spec));

        Assert.Contains(JobSpec.AttemptVariable, error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _arm.ExecutionsOf("run-1-a1"));
    }

    /// <summary>A real credential that hands out one fixed token (what a managed identity would do, minus the identity).</summary>
    private sealed class FixedToken(string token) : TokenCredential
    {
        private readonly List<string> _scopes = [];

        public IReadOnlyList<string> Scopes
        {
            get
            {
                lock (_scopes)
                {
                    return [.. _scopes];
                }
            }
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (_scopes)
            {
                _scopes.AddRange(requestContext.Scopes);
            }
            return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
