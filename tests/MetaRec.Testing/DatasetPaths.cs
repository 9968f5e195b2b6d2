namespace MetaRec.Testing;

/// <summary>
/// Where the evaluation datasets live: <c>METAREC_DATASETS</c> if set, else
/// <c>../shared/datasets</c> beside the repository. A missing folder is an error that says
/// where it looked, never a silent pass.
/// </summary>
public static class DatasetPaths
{
    /// <summary>The repository root, as recorded at build time.</summary>
    public static string RepoRoot => Path.GetFullPath(AzuriteFixture.BuildMetadata("MetaRec.RepoRoot"));

    /// <summary>The shared datasets folder.</summary>
    public static string Root
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("METAREC_DATASETS");
            return string.IsNullOrEmpty(configured)
                ? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "datasets"))
                : Path.GetFullPath(configured);
        }
    }

    /// <summary>A dataset folder under <see cref="Root"/>, e.g. <c>ml-100k</c> or <c>tiny/ml-100k-tiny</c>.</summary>
    public static string Require(string relative)
    {
        var path = Path.Combine(Root, relative);
        if (!Directory.Exists(path) && !File.Exists(path))
        {
            throw new DirectoryNotFoundException(
                $"Dataset '{relative}' not found at '{path}'. Tests read ../shared/datasets beside the repository; set METAREC_DATASETS to another copy.");
        }
        return path;
    }
}
