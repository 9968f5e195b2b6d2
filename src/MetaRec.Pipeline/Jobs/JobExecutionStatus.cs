using System.Globalization;
using System.Text.Json.Nodes;

namespace MetaRec.Pipeline.Jobs;

/// <summary>
/// ARM's execution status (<c>properties.status</c>, JobExecutionRunningState) as a <see cref="JobState"/>:
/// <list type="table">
/// <item><term>Running, Processing</term><description>Running.</description></item>
/// <item><term>Succeeded</term><description>Succeeded, exit code 0 (ACA marks an execution succeeded when its replicas exit 0).</description></item>
/// <item><term>Failed</term><description>Failed; ARM reports no exit code.</description></item>
/// <item><term>Stopped</term><description>Stopped.</description></item>
/// <item><term>Degraded</term><description>Running: replicas are failing and ACA retries them up to the job's
/// replicaRetryLimit, after which the execution turns Failed.</description></item>
/// <item><term>Unknown, missing or any other value</term><description>Running, with the raw status in
/// Detail. Calling it Failed would make the pipeline start a second execution while the first may
/// still hold the GPU; as Running, the pipeline's attempt deadline bounds it (and stops it).</description></item>
/// </list>
/// </summary>
internal static class JobExecutionStatus
{
    public static JobState Map(JsonNode? execution, string jobId)
    {
        var properties = execution?["properties"];
        var status = JobExecutionTemplate.Text(properties?["status"]);
        var detail = Detail(jobId, status, properties);
        return status?.ToUpperInvariant() switch
        {
            "RUNNING" or "PROCESSING" => new JobState(JobStatus.Running, null, detail),
            "SUCCEEDED" => new JobState(JobStatus.Succeeded, 0, detail),
            "FAILED" => new JobState(JobStatus.Failed, null, detail),
            "STOPPED" => new JobState(JobStatus.Stopped, null, detail),
            "DEGRADED" => new JobState(JobStatus.Running, null, detail + "; replicas failing, ACA retries them up to the job's replicaRetryLimit"),
            _ => new JobState(JobStatus.Running, null, detail + "; status not known to the launcher, taken as still running"),
        };
    }

    private static string Detail(string jobId, string? status, JsonNode? properties)
    {
        var parts = new List<string> { $"execution {jobId}: {status ?? "(no status)"}" };
        // Newer api-versions may add a reason and a message; older ones have neither.
        foreach (var field in new[] { "reason", "message" })
        {
            if (JobExecutionTemplate.Text(properties?[field]) is { Length: > 0 } text)
            {
                parts.Add(text);
            }
        }
        if (Time(properties?["startTime"]) is { } started)
        {
            parts.Add("started " + started.ToString("u", CultureInfo.InvariantCulture));
        }
        if (Time(properties?["endTime"]) is { } ended)
        {
            parts.Add("ended " + ended.ToString("u", CultureInfo.InvariantCulture));
        }
        return string.Join(", ", parts);
    }

    /// <summary>A date-time field, or null.</summary>
    public static DateTimeOffset? Time(JsonNode? node) =>
        DateTimeOffset.TryParse(JobExecutionTemplate.Text(node), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.ToUniversalTime() : null;
}
