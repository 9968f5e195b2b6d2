using System.Text;

namespace MetaRec.Core.Data;

/// <summary>Line-oriented reading of dataset files: 1-based line numbers, blank lines skipped.</summary>
internal static class TextLines
{
    public static IEnumerable<(SourceLine Line, string Text)> Read(string path, Encoding encoding)
    {
        using var reader = new StreamReader(path, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        var number = 0;
        while (reader.ReadLine() is { } text)
        {
            number++;
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return (new SourceLine(path, number), text);
            }
        }
    }

    /// <summary>
    /// Splits <paramref name="text"/> on <paramref name="separator"/> into exactly
    /// <c>fields.Length</c> ranges, or throws naming the line and the count found.
    /// </summary>
    public static void Split(SourceLine line, ReadOnlySpan<char> text, Span<Range> fields, string separator, string separatorName)
    {
        var found = text.Count(separator.AsSpan()) + 1;
        if (found != fields.Length)
        {
            throw line.Error($"expected {fields.Length} {separatorName}-separated fields, found {found}");
        }
        text.Split(fields, separator.AsSpan());
    }
}
