namespace MetaRec.Core.Data;

/// <summary>
/// A malformed row in a dataset file. The message always starts with the file name and the
/// 1-based line, e.g. <c>u.data line 17: expected 4 tab-separated fields, found 3</c>.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string file, int line, string detail)
        : base($"{Path.GetFileName(file)} line {line}: {detail}")
    {
        File = file;
        Line = line;
    }

    public DataFormatException()
        : this("(unknown file)", 0, "malformed data")
    {
    }

    public DataFormatException(string message)
        : base(message)
    {
        File = "(unknown file)";
    }

    public DataFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "(unknown file)";
    }

    /// <summary>The path of the file as it was opened.</summary>
    public string File { get; }

    /// <summary>The 1-based line the bad row starts on (0 when unknown).</summary>
    public int Line { get; }
}
