using MetaRec.Abstractions;

namespace MetaRec.Core.Data;

/// <summary>
/// A loaded recommendation dataset with encoded indices: users and items numbered from 0 (index
/// to external id in <see cref="UserIds"/> and <see cref="ItemIds"/>), the interactions, dense item
/// features (row-major <c>ItemCount × ItemFeatureCount</c>, multi-hot genres for MovieLens) and
/// categorical user fields (row-major <c>UserCount × UserFieldCount</c>, index 0 = unknown; empty
/// when the source has no user features). Everything is checked on construction.
/// </summary>
public sealed class InteractionDataset
{
    public InteractionDataset(
        string name,
        IReadOnlyList<string> userIds,
        IReadOnlyList<string> itemIds,
        IReadOnlyList<Interaction> interactions,
        bool hasRatings,
        IReadOnlyList<string> itemFeatureNames,
        float[] itemFeatures,
        IReadOnlyList<string> userFieldNames,
        IReadOnlyList<int> userFieldCardinalities,
        int[] userFields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(userIds);
        ArgumentNullException.ThrowIfNull(itemIds);
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(itemFeatureNames);
        ArgumentNullException.ThrowIfNull(itemFeatures);
        ArgumentNullException.ThrowIfNull(userFieldNames);
        ArgumentNullException.ThrowIfNull(userFieldCardinalities);
        ArgumentNullException.ThrowIfNull(userFields);

        Name = name;
        UserIds = DatasetChecks.DistinctIds(userIds, nameof(userIds));
        ItemIds = DatasetChecks.DistinctIds(itemIds, nameof(itemIds));
        ItemFeatureNames = [.. itemFeatureNames];
        UserFieldNames = [.. userFieldNames];
        UserFieldCardinalities = [.. userFieldCardinalities];
        DatasetChecks.ItemFeatures(itemFeatures, ItemIds.Count, ItemFeatureNames.Count);
        DatasetChecks.UserFields(userFields, UserIds.Count, UserFieldNames, UserFieldCardinalities);
        Interactions = DatasetChecks.Interactions(interactions, UserIds.Count, ItemIds.Count, hasRatings);
        HasRatings = hasRatings;
        ItemFeatures = itemFeatures;
        UserFields = userFields;
    }

    /// <summary>A short name for reports, e.g. the folder the data came from.</summary>
    public string Name { get; }

    /// <summary>External user id of each user index.</summary>
    public IReadOnlyList<string> UserIds { get; }

    /// <summary>External item id of each item index.</summary>
    public IReadOnlyList<string> ItemIds { get; }

    /// <summary>Every interaction, in file order.</summary>
    public IReadOnlyList<Interaction> Interactions { get; }

    /// <summary>False for label-only data: then every rating is a 0/1 label.</summary>
    public bool HasRatings { get; }

    /// <summary>Name of each item feature column (e.g. genre names).</summary>
    public IReadOnlyList<string> ItemFeatureNames { get; }

    /// <summary>Row-major item features, <c>ItemCount × ItemFeatureCount</c>.</summary>
    public float[] ItemFeatures { get; }

    /// <summary>Name of each categorical user field (e.g. age, gender, occupation).</summary>
    public IReadOnlyList<string> UserFieldNames { get; }

    /// <summary>Cardinality of each user field, the unknown index 0 included.</summary>
    public IReadOnlyList<int> UserFieldCardinalities { get; }

    /// <summary>Row-major user fields, <c>UserCount × UserFieldCount</c>; empty without user fields.</summary>
    public int[] UserFields { get; }

    public int UserCount => UserIds.Count;

    public int ItemCount => ItemIds.Count;

    public int ItemFeatureCount => ItemFeatureNames.Count;

    public int UserFieldCount => UserFieldNames.Count;

    /// <summary>The schema a model built on this dataset sees.</summary>
    public FeatureSchema Schema => new(ItemCount, ItemFeatureCount, UserFieldCardinalities);

    /// <summary>The catalogue of this dataset: its schema and a copy of the item features.</summary>
    public Catalogue ToCatalogue() => new(Schema, (float[])ItemFeatures.Clone());

    /// <summary>A copy of one user's field indices (empty when the dataset has no user fields).</summary>
    public int[] UserFieldsOf(int user)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, UserCount);
        return UserFields.AsSpan(user * UserFieldCount, UserFieldCount).ToArray();
    }
}
