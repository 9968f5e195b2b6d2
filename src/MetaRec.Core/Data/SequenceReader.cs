using System.Text;

namespace MetaRec.Core.Data;

/// <summary>
/// Reads the sequential format of the Amazon review sets used in sequential-recommendation
/// research: one user a line, <c>user item item …</c> in time order, fields separated by spaces
/// or tabs (no timestamps). Any file of that format is accepted by path. Users are numbered in
/// file order; item ids are opaque tokens, numbered in sorted order (numerically when all are
/// integers).
/// Immediate repeats (<c>a a b</c>) are dropped to one; blank lines are skipped.
/// </summary>
/// <remarks>
/// A line is refused, with its file and line named, when it has a user but no item, when its
/// user already had a line, or when a token holds a comma, semicolon or quote (the sign of a
/// CSV file given by mistake: this format separates by whitespace only).
/// </remarks>
public static class SequenceReader
{
    private static readonly char[] Separators = [' ', '\t'];
    private static readonly char[] Foreign = [',', ';', '"'];

    public static SequenceDataset Read(string file)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"Sequence file '{file}' does not exist.", file);
        }
        var users = new List<string>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var raw = new List<string[]>();
        foreach (var (line, text) in TextLines.Read(file, Encoding.UTF8))
        {
            var tokens = text.Split(Separators, StringSplitOptions.RemoveEmptyEntries);
            foreach (var token in tokens)
            {
                if (token.IndexOfAny(Foreign) >= 0)
                {
                    throw line.Error($"'{token}' is not an id: fields are separated by spaces (user item item …), not by '{token[token.IndexOfAny(Foreign)]}'");
                }
            }
            var user = tokens[0];
            if (tokens.Length < 2)
            {
                throw line.Error($"user {user} has no items (expected: user item item …)");
            }
            if (!lines.TryAdd(user, line.Number))
            {
                throw line.Error($"user {user} already has a line ({lines[user]}); a user's items belong on one line");
            }
            users.Add(user);
            raw.Add(tokens[1..]);
        }
        if (users.Count == 0)
        {
            throw new DataFormatException(file, 1, "the file holds no user lines (expected: user item item …)");
        }

        var itemIds = ExternalIds.Order(raw.SelectMany(r => r));
        var itemIndex = ExternalIds.IndexOf(itemIds);
        var sequences = raw.Select(r => DropImmediateRepeats(r, itemIndex)).ToList();
        return new SequenceDataset(Path.GetFileNameWithoutExtension(file), users, itemIds, sequences);
    }

    private static int[] DropImmediateRepeats(string[] items, Dictionary<string, int> index)
    {
        var sequence = new List<int>(items.Length);
        foreach (var item in items)
        {
            var encoded = index[item];
            if (sequence.Count == 0 || sequence[^1] != encoded)
            {
                sequence.Add(encoded);
            }
        }
        return [.. sequence];
    }
}
