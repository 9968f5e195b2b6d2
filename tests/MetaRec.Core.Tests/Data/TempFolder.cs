using System.Text;

namespace MetaRec.Core.Tests.Data;

/// <summary>A temporary folder for dataset files a test writes; deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("metarec-data-").FullName;

    public string Path { get; }

    /// <summary>Writes the lines, each ending in '\n', in the given encoding (UTF-8 without BOM by default).</summary>
    public string Write(string file, IEnumerable<string> lines, Encoding? encoding = null)
    {
        var path = System.IO.Path.Combine(Path, file);
        var text = string.Concat(lines.Select(l => l + "\n"));
        File.WriteAllBytes(path, (encoding ?? new UTF8Encoding(false)).GetBytes(text));
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
