using System.Globalization;
using System.Numerics;

namespace MetaRec.Functions.Timers;

/// <summary>
/// One field of an NCRONTAB expression: its name, range and value names, and the parser that
/// turns its text into a bit set (bit <c>v</c> set: value <c>v</c> matches).
/// </summary>
internal sealed class CronField
{
    public static readonly CronField Second = new("second", 0, 59, null);
    public static readonly CronField Minute = new("minute", 0, 59, null);
    public static readonly CronField Hour = new("hour", 0, 23, null);
    public static readonly CronField Day = new("day", 1, 31, null);
    public static readonly CronField Month = new("month", 1, 12, ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]);
    public static readonly CronField DayOfWeek = new("day-of-week", 0, 6, ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]);

    /// <summary>The six fields in expression order.</summary>
    public static readonly CronField[] All = [Second, Minute, Hour, Day, Month, DayOfWeek];

    private readonly string[]? _names;

    private CronField(string name, int min, int max, string[]? names)
    {
        Name = name;
        Min = min;
        Max = max;
        _names = names;
    }

    public string Name { get; }

    public int Min { get; }

    public int Max { get; }

    public static bool Has(ulong set, int value) => ((set >> value) & 1) != 0;

    /// <summary>The smallest value in <paramref name="set"/> at or above <paramref name="from"/>; -1 if none.</summary>
    public static int NextIn(ulong set, int from)
    {
        if (from > 63)
        {
            return -1;
        }
        var rest = set & (ulong.MaxValue << from);
        return rest == 0 ? -1 : BitOperations.TrailingZeroCount(rest);
    }

    /// <summary>
    /// A comma-separated list of <c>*</c>, <c>v</c>, <c>a-b</c>, each optionally <c>/step</c>
    /// (<c>v/step</c> runs from v to the field's maximum, as NCrontab reads it).
    /// </summary>
    /// <exception cref="FormatException">Naming this field and the bad value.</exception>
    public ulong Parse(string text)
    {
        ulong set = 0;
        foreach (var item in text.Split(','))
        {
            if (item.Length == 0)
            {
                throw new FormatException($"{Name} field '{text}' has an empty list item");
            }
            var range = item;
            var step = 1;
            var slash = item.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                var stepText = item[(slash + 1)..];
                range = item[..slash];
                if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step))
                {
                    throw new FormatException($"{Name} field '{item}' has step '{stepText}', which is not a whole number");
                }
                if (step < 1)
                {
                    throw new FormatException($"{Name} field '{item}' has step {step}; a step is at least 1");
                }
            }
            int low, high;
            if (range == "*")
            {
                (low, high) = (Min, Max);
            }
            else if (range.IndexOf('-', StringComparison.Ordinal) is var dash and >= 0)
            {
                low = Value(range[..dash], item);
                high = Value(range[(dash + 1)..], item);
                if (low > high)
                {
                    throw new FormatException($"{Name} field '{item}' runs backwards; write the smaller value first");
                }
            }
            else
            {
                low = Value(range, item);
                high = slash >= 0 ? Max : low;
            }
            for (var value = low; value <= high; value += step)
            {
                set |= 1UL << value;
            }
        }
        return set;
    }

    /// <summary>A number in range, or (month and day-of-week) a name: three letters or in full, any case.</summary>
    private int Value(string text, string item)
    {
        if (text.Length == 0)
        {
            throw new FormatException($"{Name} field '{item}' has an empty value");
        }
        if (char.IsAsciiDigit(text[0]))
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw new FormatException($"{Name} field '{text}' is not a whole number");
            }
            if (number < Min || number > Max)
            {
                throw new FormatException($"{Name} field '{text}' is outside {Min}-{Max}");
            }
            return number;
        }
        if (_names is not null)
        {
            for (var i = 0; i < _names.Length; i++)
            {
                if (text.Equals(_names[i], StringComparison.OrdinalIgnoreCase) || text.Equals(_names[i][..3], StringComparison.OrdinalIgnoreCase))
                {
                    return Min + i;
                }
            }
            throw new FormatException($"{Name} field '{text}' is neither a number in {Min}-{Max} nor a name {_names[0][..3]}-{_names[^1][..3]}");
        }
        throw new FormatException($"{Name} field '{text}' is not a number in {Min}-{Max}");
    }
}
