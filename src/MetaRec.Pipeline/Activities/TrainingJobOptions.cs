namespace MetaRec.Pipeline.Activities;

/// <summary>What the activities need to know of the app to start jobs.</summary>
/// <param name="StorageArguments">The <c>metarec</c> storage flags that reach this app's registry (e.g. <c>--storage-folder DIR</c>): the job registers its checkpoint there.</param>
/// <param name="JobEnvironment">Environment the job gets (e.g. the storage connection string, kept off its command line).</param>
public sealed record TrainingJobOptions(IReadOnlyList<string> StorageArguments, IReadOnlyDictionary<string, string>? JobEnvironment = null)
{
    /// <summary>Devices the jobs can train on (a request for another is refused at start); by default the CPU only.</summary>
    public IReadOnlyList<string> Devices { get; init; } = ["cpu"];
}
