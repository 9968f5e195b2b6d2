using System.Text;

namespace MetaRec.Core.Data;

/// <summary>
/// RFC 4180 comma-separated records: fields may be quoted, a quote inside a quoted field is
/// doubled, and a quoted field may span lines. Each record carries the line it starts on.
/// Blank lines are skipped.
/// </summary>
internal static class CsvRecords
{
    public static IEnumerable<(SourceLine Line, string[] Fields)> Read(string path, Encoding encoding)
    {
        using var reader = new StreamReader(path, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var fields = new List<string>();
        var field = new StringBuilder();
        var number = 0;
        while (reader.ReadLine() is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            var line = new SourceLine(path, number);
            if (!text.Contains('"', StringComparison.Ordinal))
            {
                yield return (line, text.Split(','));
                continue;
            }
            fields.Clear();
            number = ParseQuoted(reader, text, line, fields, field);
            yield return (line, [.. fields]);
        }
    }

    /// <summary>Throws unless the record has exactly <paramref name="expected"/> fields.</summary>
    public static void RequireFieldCount(SourceLine line, string[] fields, int expected)
    {
        if (fields.Length != expected)
        {
            throw line.Error($"expected {expected} comma-separated fields, found {fields.Length}");
        }
    }

    /// <summary>Parses one record that contains quotes; returns the number of the last line it used.</summary>
    private static int ParseQuoted(StreamReader reader, string text, SourceLine line, List<string> fields, StringBuilder field)
    {
        var number = line.Number;
        var position = 0;
        while (true)
        {
            field.Clear();
            if (position < text.Length && text[position] == '"')
            {
                position++;
                while (true)
                {
                    if (position == text.Length)
                    {
                        // The quoted field goes on over a line break.
                        text = reader.ReadLine() ?? throw line.Error("quoted field is not closed before the end of the file");
                        number++;
                        field.Append('\n');
                        position = 0;
                        continue;
                    }
                    var c = text[position++];
                    if (c != '"')
                    {
                        field.Append(c);
                    }
                    else if (position < text.Length && text[position] == '"')
                    {
                        field.Append('"');
                        position++;
                    }
                    else
                    {
                        break;
                    }
                }
                if (position < text.Length && text[position] != ',')
                {
                    throw line.Error($"unexpected '{text[position]}' after a closing quote (field {fields.Count + 1})");
                }
            }
            else
            {
                var end = text.IndexOf(',', position);
                var stop = end < 0 ? text.Length : end;
                var raw = text.AsSpan(position, stop - position);
                if (raw.Contains('"'))
                {
                    throw line.Error($"a quote inside an unquoted field (field {fields.Count + 1}); quote the whole field");
                }
                field.Append(raw);
                position = stop;
            }
            fields.Add(field.ToString());
            if (position >= text.Length)
            {
                return number;
            }
            position++; // the comma
            if (position == text.Length)
            {
                fields.Add(string.Empty);
                return number;
            }
        }
    }
}
