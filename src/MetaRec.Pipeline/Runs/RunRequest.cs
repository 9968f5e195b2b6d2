using System.Text.Json.Serialization;
using MetaRec.Core.Tensors;

namespace MetaRec.Pipeline.Runs;

/// <summary>The step a run is at (its orchestration's custom status), or how it ended: the last four are final.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunState>))]
public enum RunState
{
    Snapshot,
    Launch,
    Monitor,
    Evaluate,
    Promote,
    Refresh,
    Completed,
    Rejected,
    Failed,
    Cancelled,
}

/// <summary>What a user asks for when starting a run.</summary>
/// <param name="Family">Model family to train.</param>
/// <param name="Data">Base dataset: a path the app can read (empty: the app's configured base dataset, if any). The snapshot adds every logged event up to the run's start to it, writes the result to storage, and the job trains on that.</param>
/// <param name="Settings">Model settings (<c>--set</c>).</param>
/// <param name="Epochs">Most epochs of the job.</param>
/// <param name="Device">Where the job trains: cpu, cuda or cuda:N (<c>metarec train --device</c>); the pipeline refuses devices its jobs do not offer.</param>
/// <param name="Metric">Validation metric of the quality gate: auc, gauc or logloss.</param>
/// <param name="Margin">How much the candidate must beat the active model by.</param>
/// <param name="Seed">Seed of the split (held-out users) and the model.</param>
/// <param name="Shards">Embedding-refresh shards fanned out after promotion.</param>
public sealed record RunRequest(
    string Family,
    string? Data,
    IReadOnlyDictionary<string, string> Settings,
    int Epochs = 10,
    string Device = "cpu",
    string Metric = "auc",
    double Margin = 0,
    int Seed = 1,
    int Shards = 4)
{
    /// <exception cref="ArgumentException">Naming the bad field.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Family))
        {
            throw new ArgumentException("family is required", nameof(Family));
        }
        if (Epochs is < 1 or > 1000)
        {
            throw new ArgumentException($"epochs must be in [1, 1000], not {Epochs}", nameof(Epochs));
        }
        try
        {
            new TorchBackend(Device ?? string.Empty).ToDevice();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(e.Message, nameof(Device), e);
        }
        if (Metric is not ("auc" or "gauc" or "logloss"))
        {
            throw new ArgumentException($"metric must be auc, gauc or logloss, not '{Metric}'", nameof(Metric));
        }
        if (Margin is < 0 or > 1 || double.IsNaN(Margin))
        {
            throw new ArgumentException($"margin must be in [0, 1], not {Margin}", nameof(Margin));
        }
        if (Shards is < 1 or > 256)
        {
            throw new ArgumentException($"shards must be in [1, 256] (users are stored in 256 hash buckets), not {Shards}", nameof(Shards));
        }
    }
}
