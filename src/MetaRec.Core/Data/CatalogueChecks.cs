using MetaRec.Abstractions;

namespace MetaRec.Core.Data;

/// <summary>The input checks every model family runs before touching tensors.</summary>
public static class CatalogueChecks
{
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
