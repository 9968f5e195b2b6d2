namespace MetaRec.Core.Data;

/// <summary>The consistency checks <see cref="InteractionDataset"/> runs on construction.</summary>
internal static class DatasetChecks
{
    public static IReadOnlyList<string> DistinctIds(IReadOnlyList<string> ids, string parameter)
    {
        var seen = new HashSet<string>(ids.Count, StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            if (string.IsNullOrEmpty(ids[i]))
            {
                throw new ArgumentException($"{parameter}[{i}] is empty.", parameter);
            }
            if (!seen.Add(ids[i]))
            {
                throw new ArgumentException($"{parameter} lists '{ids[i]}' twice (index {i}).", parameter);
            }
        }
        return [.. ids];
    }

    public static void ItemFeatures(float[] features, int items, int featureCount)
    {
        if (features.Length != items * featureCount)
        {
            throw new ArgumentException(
                $"item features have {features.Length} values; {items} items × {featureCount} features need {items * featureCount}.",
                nameof(features));
        }
        for (var i = 0; i < features.Length; i++)
        {
            if (!float.IsFinite(features[i]))
            {
                throw new ArgumentException(
                    $"item {i / featureCount} feature {i % featureCount} is {features[i]}; features must be finite.",
                    nameof(features));
            }
        }
    }

    public static void UserFields(int[] fields, int users, IReadOnlyList<string> names, IReadOnlyList<int> cardinalities)
    {
        if (names.Count != cardinalities.Count)
        {
            throw new ArgumentException(
                $"{names.Count} user field names but {cardinalities.Count} cardinalities.", nameof(cardinalities));
        }
        var fieldCount = names.Count;
        for (var f = 0; f < fieldCount; f++)
        {
            if (cardinalities[f] < 1)
            {
                throw new ArgumentException(
                    $"user field '{names[f]}' has cardinality {cardinalities[f]}; it must be at least 1 (index 0 = unknown).",
                    nameof(cardinalities));
            }
        }
        if (fields.Length != users * fieldCount)
        {
            throw new ArgumentException(
                $"user fields have {fields.Length} values; {users} users × {fieldCount} fields need {users * fieldCount}.",
                nameof(fields));
        }
        for (var i = 0; i < fields.Length; i++)
        {
            var f = i % fieldCount;
            if ((uint)fields[i] >= (uint)cardinalities[f])
            {
                throw new ArgumentException(
                    $"user {i / fieldCount} field '{names[f]}' is {fields[i]}; it must lie in [0, {cardinalities[f]}).",
                    nameof(fields));
            }
        }
    }

    public static Interaction[] Interactions(IReadOnlyList<Interaction> interactions, int users, int items, bool hasRatings)
    {
        var copy = new Interaction[interactions.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            var interaction = interactions[i];
            if ((uint)interaction.User >= (uint)users)
            {
                throw new ArgumentException(
                    $"interaction {i} has user {interaction.User}; users lie in [0, {users}).", nameof(interactions));
            }
            if ((uint)interaction.Item >= (uint)items)
            {
                throw new ArgumentException(
                    $"interaction {i} has item {interaction.Item}; items lie in [0, {items}).", nameof(interactions));
            }
            if (!float.IsFinite(interaction.Rating))
            {
                throw new ArgumentException($"interaction {i} has rating {interaction.Rating}.", nameof(interactions));
            }
            if (!hasRatings && interaction.Rating is not (0f or 1f))
            {
                throw new ArgumentException(
                    $"interaction {i} has label {interaction.Rating}; label-only data must hold 0 or 1.", nameof(interactions));
            }
            copy[i] = interaction;
        }
        return copy;
    }
}
