namespace MetaRec.Functions.Training;

/// <summary>
/// The training pipeline's settings (<c>MetaRec:Training</c>): who runs the job and how, the
/// orchestration's pacing (poll interval, deadline, attempts), and the base dataset a run's
/// snapshot starts from.
/// </summary>
public sealed class TrainingOptions
{
    /// <summary>Who runs the training job: <c>local</c> (a child process, the embedded default) or <c>aca</c> (an Azure Container Apps job, <see cref="ContainerApps"/>).</summary>
    public string Launcher { get; set; } = "local";

    /// <summary>The Container Apps job the <c>aca</c> launcher starts (<c>MetaRec:Training:ContainerApps:*</c>).</summary>
    public Pipeline.Jobs.ContainerAppsJobOptions ContainerApps { get; set; } = new();

    /// <summary>Whether runs can be started: a local launcher needs the metarec tool; the aca job brings its own.</summary>
    public bool IsConfigured => Launcher == "aca" || MetarecDll.Length > 0;

    /// <summary>The <c>metarec</c> tool the local launcher runs (a path to metarec.dll, run with dotnet); empty with the local launcher: training runs are refused with 503.</summary>
    public string MetarecDll { get; set; } = string.Empty;

    /// <summary>Where job folders (script, output, checkpoint) go; empty: the storage folder.</summary>
    public string JobsFolder { get; set; } = string.Empty;

    /// <summary>Durable-timer wait between two looks at a running job.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest one job attempt may run; past it the job is stopped and the run fails.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// The dataset every run's snapshot starts from when the request names none (a path the app
    /// can read); the logged events are added to it. Empty: the logged events alone.
    /// </summary>
    public string BaseDataset { get; set; } = string.Empty;

    /// <summary>
    /// Devices the jobs can train on, comma-separated (<c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>); a run
    /// asking for another is refused with 400. <c>cuda</c> belongs here only when the jobs run where
    /// a GPU and a CUDA libtorch are (the CUDA training image, or <see cref="LibTorch"/>).
    /// </summary>
    public string Devices { get; set; } = "cpu";

    /// <summary>A libtorch folder the local launcher's jobs load instead of the bundled CPU one (<c>METAREC_LIBTORCH</c>); empty: the bundled one.</summary>
    public string LibTorch { get; set; } = string.Empty;

    /// <summary><see cref="Devices"/> as a list.</summary>
    public IReadOnlyList<string> DeviceList => Devices.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public int MaxAttempts { get; set; } = 2;

    /// <summary>The orchestration's schedule from these settings.</summary>
    public Pipeline.Orchestration.TrainingSchedule Schedule => new(PollInterval, Deadline, MaxAttempts);

    public void Validate()
    {
        if (DeviceList.Count == 0)
        {
            throw new ArgumentException("MetaRec:Training:Devices must list at least one device", nameof(Devices));
        }
        foreach (var device in DeviceList)
        {
            try
            {
                new MetaRec.Core.Tensors.TorchBackend(device).ToDevice();
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"MetaRec:Training:Devices: {e.Message}", nameof(Devices), e);
            }
        }
        if (Launcher == "local" && LibTorch.Length > 0 && !Directory.Exists(LibTorch))
        {
            throw new ArgumentException($"MetaRec:Training:LibTorch names '{LibTorch}', which does not exist", nameof(LibTorch));
        }
        if (Launcher is not ("local" or "aca"))
        {
            throw new ArgumentException($"MetaRec:Training:Launcher must be local or aca, not '{Launcher}'", nameof(Launcher));
        }
        if (Launcher == "aca")
        {
            ContainerApps.Validate();
        }
        if (MetarecDll.Length > 0 && !File.Exists(MetarecDll))
        {
            throw new ArgumentException($"MetaRec:Training:MetarecDll names '{MetarecDll}', which does not exist", nameof(MetarecDll));
        }
        try
        {
            Schedule.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"MetaRec:Training:{e.ParamName}: {e.Message}", e.ParamName, e);
        }
        if (BaseDataset.Length > 0 && !File.Exists(BaseDataset) && !Directory.Exists(BaseDataset))
        {
            throw new ArgumentException($"MetaRec:Training:BaseDataset names '{BaseDataset}', which does not exist", nameof(BaseDataset));
        }
    }
}
