using MetaRec.Abstractions;

namespace MetaRec.Core.Data;

/// <summary>The input checks every model family runs before touching tensors.</summary>
public static class CatalogueChecks
{
    /// <summary>
    /// The checks a model's Train runs first for a family without an online stage: the batch is
    /// given, <paramref name="stage"/> is offline (otherwise a <see cref="NotSupportedException"/>
    /// naming the family, with <paramref name="instead"/> appended where given), and every task fits.
    /// </summary>
    public static void CheckOfflineTraining(this Catalogue catalogue, IReadOnlyList<UserTask> batch, TrainStage stage, string family, string? instead = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (stage != TrainStage.Offline)
        {
            throw new NotSupportedException($"family '{family}' has no online meta-training stage{(instead is null ? string.Empty : "; " + instead)}");
        }
        catalogue.CheckTasks(batch);
    }

    /// <summary>Runs <see cref="CheckUser"/> on every task of a training batch, support and query items both.</summary>
    public static void CheckTasks(this Catalogue catalogue, IEnumerable<UserTask> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var task in batch)
        {
            catalogue.CheckUser(task.UserFields, task.Support.Concat(task.Query).Select(e => e.Item), task.UserId);
        }
    }

    /// <summary>
    /// The checks a model's Score runs first: the user's fields and the items fit the catalogue,
    /// and a state, where given, has the model's <paramref name="stateSize"/> floats (null is a
    /// cold user). Returns whether there is anything to score.
    /// </summary>
    public static bool CheckScoring(this Catalogue catalogue, int[] userFields, UserState? state, int stateSize, int[] items)
    {
        ArgumentNullException.ThrowIfNull(userFields);
        ArgumentNullException.ThrowIfNull(items);
        catalogue.CheckUser(userFields, items, "(scored user)");
        if (state is not null && state.Values.Length != stateSize)
        {
            throw new ArgumentException($"user state has {state.Values.Length} floats; this model's has {stateSize}", nameof(state));
        }
        return items.Length > 0;
    }

    /// <summary>
    /// Throws when <paramref name="fields"/> do not fit the schema's user fields or any item is
    /// outside the catalogue; the message names the user and up to ten unknown items.
    /// </summary>
    public static void CheckUser(this Catalogue catalogue, int[] fields, IEnumerable<int> items, string user)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(items);
        var schema = catalogue.Schema;
        if (fields.Length != schema.UserFieldCount)
        {
            throw new ArgumentException($"user '{user}': {fields.Length} user fields, the schema has {schema.UserFieldCount}");
        }
        for (var f = 0; f < fields.Length; f++)
        {
            if ((uint)fields[f] >= (uint)schema.UserFieldCardinalities[f])
            {
                throw new ArgumentOutOfRangeException(nameof(fields), $"user '{user}': field {f} is {fields[f]}, outside [0, {schema.UserFieldCardinalities[f]})");
            }
        }
        var unknown = items.Where(i => (uint)i >= (uint)schema.ItemCount).Distinct().Take(10).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(items), $"user '{user}': unknown items {string.Join(", ", unknown)} (catalogue has {schema.ItemCount})");
        }
    }
}
