using System.Text;

namespace MetaRec.Testing;

/// <summary>A temporary folder for what a test writes (dataset files, an app's storage); deleted on dispose.</summary>
public sealed class TempFolder(string prefix = "metarec-data-") : IDisposable
{

    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Writes the lines, each ending in '\n', in the given encoding (UTF-8 without BOM by default).</summary>
    public string Write(string file, IEnumerable<string> lines, Encoding? encoding = null)
    {
        var path = System.IO.Path.Combine(Path, file);
        var text = string.Concat(lines.Select(l => l + "\n"));
        File.WriteAllBytes(path, (encoding ?? new UTF8Encoding(false)).GetBytes(text));
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
