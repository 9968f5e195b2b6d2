namespace MetaRec.Core.Evaluation;

/// <summary>Summary statistics of measured figures.</summary>
public static class Statistic
{
    /// <summary>The median (the mean of the middle two for an even count); NaN when there are none.</summary>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
