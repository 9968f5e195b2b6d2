using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MetaRec.Pipeline.Jobs;

/// <summary>
/// The embedded default: a job is a detached child process (<c>metarec train …</c>) whose
/// folder <c>{root}/jobs/{attempt name}/</c> holds the script it runs, its pid, its output
/// (<c>output.log</c>, the run's logs) and, once it ends, its exit code. The process is started
/// in its own session through a script that writes the exit code itself, so it outlives the app
/// that started it and its status survives the app's restart. The job runs in its folder (a
/// relative <c>--out</c> lands there). The job id is the attempt name.
/// </summary>
public sealed class LocalProcessLauncher(string root, string executable, IReadOnlyList<string> prefixArguments) : IJobLauncher
{
    private readonly string _jobs = Path.Combine(Path.GetFullPath(root), "jobs");

    public string Name => "local";

    /// <summary>The folder of a job (for its checkpoint and logs).</summary>
    public string FolderOf(string jobId) => Path.Combine(_jobs, Storage.Registry.StorageNames.RunId(jobId));

    public async Task<string> StartAsync(JobSpec spec, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var folder = FolderOf(spec.Name);
        Directory.CreateDirectory(folder);
        await using var gate = await Storage.FileLock.AcquireAsync(Path.Combine(folder, "start.lock"), cancellation).ConfigureAwait(false);
        var script = Path.Combine(folder, "run.sh");
        if (File.Exists(script))
        {
            return spec.Name; // started before (by this or an earlier instance of the app)
        }
        var command = new StringBuilder();
        command.Append("cd ").Append(Quote(folder)).Append('\n');
        command.Append(string.Join(' ', new[] { executable }.Concat(prefixArguments).Concat(spec.Arguments).Select(Quote)));
        command.Append(" > ").Append(Quote(Path.Combine(folder, "output.log"))).Append(" 2>&1\n");
        command.Append("echo $? > ").Append(Quote(Path.Combine(folder, "exit-code.partial")));
        command.Append(" && mv ").Append(Quote(Path.Combine(folder, "exit-code.partial"))).Append(' ').Append(Quote(Path.Combine(folder, "exit-code"))).Append('\n');
        await File.WriteAllTextAsync(script + ".partial", command.ToString(), cancellation).ConfigureAwait(false);
        File.Move(script + ".partial", script);

        // The outer shell starts the job in a new session and exits at once: the job is
        // re-parented to init, so neither the app's exit nor a kill of the app's tree reaches it.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"setsid /bin/sh {Quote(script)} </dev/null >/dev/null 2>&1 & echo $! > {Quote(Path.Combine(folder, "pid"))}");
        foreach (var (name, value) in spec.Environment)
        {
            start.Environment[name] = value;
        }
        start.Environment[JobSpec.AttemptVariable] = spec.Name;
        using var launcher = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh for the job");
        await launcher.WaitForExitAsync(cancellation).ConfigureAwait(false);
        if (launcher.ExitCode != 0)
        {
            throw new InvalidOperationException($"starting job {spec.Name} failed: {await launcher.StandardError.ReadToEndAsync(cancellation).ConfigureAwait(false)}");
        }
        return spec.Name;
    }

    public Task<string?> FindAsync(JobSpec spec, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Task.FromResult(File.Exists(Path.Combine(FolderOf(spec.Name), "run.sh")) ? spec.Name : null);
    }

    public async Task<JobState> GetAsync(string jobId, CancellationToken cancellation = default)
    {
        var folder = FolderOf(jobId);
        var exitCode = Path.Combine(folder, "exit-code");
        if (File.Exists(Path.Combine(folder, "stopped")))
        {
            return new JobState(JobStatus.Stopped, null, "stopped on request");
        }
        if (File.Exists(exitCode))
        {
            var code = int.Parse((await File.ReadAllTextAsync(exitCode, cancellation).ConfigureAwait(false)).Trim(), CultureInfo.InvariantCulture);
            return code == 0
                ? new JobState(JobStatus.Succeeded, 0, "exit code 0")
                : new JobState(JobStatus.Failed, code, $"exit code {code}: {LastLine(folder)}");
        }
        if (!File.Exists(Path.Combine(folder, "run.sh")))
        {
            return new JobState(JobStatus.Failed, null, $"no job {jobId}");
        }
        var pid = Pid(folder);
        if (pid is null)
        {
            return new JobState(JobStatus.Running, null, "starting");
        }
        if (IsAlive(pid.Value))
        {
            return new JobState(JobStatus.Running, null, $"pid {pid}");
        }
        // The script writes the exit code after the job: check again, the job may just have ended.
        return File.Exists(exitCode)
            ? await GetAsync(jobId, cancellation).ConfigureAwait(false)
            : new JobState(JobStatus.Failed, null, $"the job process (pid {pid}) ended without an exit code: killed");
    }

    public Task StopAsync(string jobId, CancellationToken cancellation = default)
    {
        var folder = FolderOf(jobId);
        if (File.Exists(Path.Combine(folder, "exit-code")) || !Directory.Exists(folder))
        {
            return Task.CompletedTask;
        }
        File.WriteAllText(Path.Combine(folder, "stopped"), string.Empty);
        if (Pid(folder) is { } pid && IsAlive(pid))
        {
            // The job leads its own session: signal the whole process group.
            using var kill = Process.Start(new ProcessStartInfo("/bin/kill", ["-TERM", "--", "-" + pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            kill?.WaitForExit();
        }
        return Task.CompletedTask;
    }

    private static int? Pid(string folder)
    {
        var path = Path.Combine(folder, "pid");
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    private static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }
        try
        {
            // A zombie (state Z) has ended; its parent (init) reaps it shortly.
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..].FirstOrDefault() != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string LastLine(string folder)
    {
        var log = Path.Combine(folder, "output.log");
        return File.Exists(log) ? File.ReadLines(log).LastOrDefault(l => l.Trim().Length > 0) ?? string.Empty : string.Empty;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
