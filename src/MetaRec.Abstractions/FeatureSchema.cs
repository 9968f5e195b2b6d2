namespace MetaRec.Abstractions;

/// <summary>
/// The shape of the encoded inputs a model family sees: item indices in
/// <c>[0, ItemCount)</c>, a dense item feature vector of <see cref="ItemFeatureCount"/> floats
/// (e.g. multi-hot genres), and categorical user fields (e.g. age bucket, gender,
/// occupation) with the given cardinalities.
/// </summary>
public sealed record FeatureSchema(int ItemCount, int ItemFeatureCount, IReadOnlyList<int> UserFieldCardinalities)
{
    public int UserFieldCount => UserFieldCardinalities.Count;
}

/// <summary>
/// The catalogue a model is built for: its schema and every item's features, row-major
/// (<c>ItemCount × ItemFeatureCount</c>). A model keeps it, so a checkpoint scores on its own.
/// </summary>
public sealed class Catalogue
{
    public Catalogue(FeatureSchema schema, float[] itemFeatures)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(itemFeatures);
        if (itemFeatures.Length != schema.ItemCount * schema.ItemFeatureCount)
        {
            throw new ArgumentException(
                $"item features have {itemFeatures.Length} values; the schema needs {schema.ItemCount} × {schema.ItemFeatureCount}.",
                nameof(itemFeatures));
        }
        Schema = schema;
        ItemFeatures = itemFeatures;
    }

    public FeatureSchema Schema { get; }

    /// <summary>Row-major item features, <c>ItemCount × ItemFeatureCount</c>.</summary>
    public float[] ItemFeatures { get; }
}
