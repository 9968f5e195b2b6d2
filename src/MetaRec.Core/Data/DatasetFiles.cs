namespace MetaRec.Core.Data;

/// <summary>Locating the files of a dataset folder.</summary>
internal static class DatasetFiles
{
    /// <summary>The path of <paramref name="file"/> in <paramref name="folder"/>, or a clear error.</summary>
    public static string Require(string folder, string file, string format)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"{format}: folder '{folder}' does not exist.");
        }
        var path = Path.Combine(folder, file);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{format}: '{folder}' has no {file}.", path);
    }

    /// <summary>The folder's own name, used as the dataset name.</summary>
    public static string NameOf(string folder) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
}
