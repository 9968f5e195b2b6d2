using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MetaRec.Core.Data;

/// <summary>
/// A SHA-256 over a dataset's interactions as external ids (user, item, rating, timestamp),
/// sorted, so the same data gives the same fingerprint whatever the file order or encoding.
/// </summary>
public static class DatasetFingerprint
{
    public static string Compute(InteractionDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var rows = dataset.Interactions
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{dataset.UserIds[i.User]}\t{dataset.ItemIds[i.Item]}\t{i.Rating:R}\t{i.Timestamp}"))
            .Order(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var row in rows)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(row));
            hash.AppendData("\n"u8);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Users in order of their first interaction (ties by external id): the order they arrived in.</summary>
    public static IReadOnlyDictionary<string, long> FirstSeen(InteractionDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var first = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var interaction in dataset.Interactions)
        {
            var id = dataset.UserIds[interaction.User];
            if (!first.TryGetValue(id, out var seen) || interaction.Timestamp < seen)
            {
                first[id] = interaction.Timestamp;
            }
        }
        return first;
    }
}
