using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MetaRec.Core.Data;

/// <summary>
/// The project's own dataset format, which holds everything an <see cref="InteractionDataset"/>
/// does, so any dataset written and read back is the same dataset (ids in index order, features,
/// user fields, interactions in order, same fingerprint). Training snapshots built from a base
/// dataset and the interaction log are written in it. A folder of four UTF-8 files, comma-separated
/// with RFC 4180 quoting and a header:
/// <list type="bullet">
/// <item><c>dataset.json</c>: <c>format</c> (<c>"metarec-dataset/1"</c>), <c>name</c>, <c>hasRatings</c>,
/// <c>itemFeatures</c> (names), <c>userFields</c> (<c>name</c> and <c>cardinality</c>, index 0 = unknown);</item>
/// <item><c>users.csv</c>: <c>user_id</c> then one integer column per user field, users in index order;</item>
/// <item><c>items.csv</c>: <c>item_id</c> then one number column per item feature, items in index order;</item>
/// <item><c>interactions.csv</c>: <c>user_id,item_id,rating,timestamp</c> (<c>label</c> for label-only
/// data), in order; it is also a <see cref="GenericCsv"/> file by itself.</item>
/// </list>
/// Writing is deterministic: the same dataset gives the same bytes.
/// </summary>
public static class DatasetFolder
{
    public const string MetadataFile = "dataset.json";
    public const string UsersFile = "users.csv";
    public const string ItemsFile = "items.csv";
    public const string InteractionsFile = "interactions.csv";
    public const string FormatName = "metarec-dataset/1";

    private const string Format = "MetaRec dataset folder";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The four files of this format, the names <see cref="Write"/> replaces.</summary>
    public static IReadOnlyList<string> Files { get; } = [MetadataFile, UsersFile, ItemsFile, InteractionsFile];

    private sealed record UserField(string Name, int Cardinality);

    private sealed record Metadata(string Format, string Name, bool HasRatings, IReadOnlyList<string> ItemFeatures, IReadOnlyList<UserField> UserFields);

    /// <summary>Writes <paramref name="dataset"/> into <paramref name="folder"/> (created if needed), replacing the format's files there.</summary>
    /// <exception cref="ArgumentException">An id or a name holds a control character (a line break would not read back).</exception>
    public static void Write(InteractionDataset dataset, string folder)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        var metadata = new Metadata(
            FormatName,
            dataset.Name,
            dataset.HasRatings,
            dataset.ItemFeatureNames,
            [.. dataset.UserFieldNames.Select((name, f) => new UserField(name, dataset.UserFieldCardinalities[f]))]);
        File.WriteAllBytes(Path.Combine(folder, MetadataFile), [.. JsonSerializer.SerializeToUtf8Bytes(metadata, Json), (byte)'\n']);

        WriteCsv(Path.Combine(folder, UsersFile), ["user_id", .. dataset.UserFieldNames], dataset.UserCount, (u, row) =>
        {
            row.Add(dataset.UserIds[u]);
            for (var f = 0; f < dataset.UserFieldCount; f++)
            {
                row.Add(dataset.UserFields[(u * dataset.UserFieldCount) + f].ToString(CultureInfo.InvariantCulture));
            }
        });
        WriteCsv(Path.Combine(folder, ItemsFile), ["item_id", .. dataset.ItemFeatureNames], dataset.ItemCount, (i, row) =>
        {
            row.Add(dataset.ItemIds[i]);
            for (var f = 0; f < dataset.ItemFeatureCount; f++)
            {
                row.Add(Number(dataset.ItemFeatures[(i * dataset.ItemFeatureCount) + f]));
            }
        });
        string[] interactionsHeader = [GenericCsv.UserColumn, GenericCsv.ItemColumn, dataset.HasRatings ? GenericCsv.RatingColumn : GenericCsv.LabelColumn, GenericCsv.TimestampColumn];
        WriteCsv(Path.Combine(folder, InteractionsFile), interactionsHeader, dataset.Interactions.Count, (n, row) =>
        {
            var interaction = dataset.Interactions[n];
            row.Add(dataset.UserIds[interaction.User]);
            row.Add(dataset.ItemIds[interaction.Item]);
            row.Add(Number(interaction.Rating));
            row.Add(interaction.Timestamp.ToString(CultureInfo.InvariantCulture));
        });
    }

    /// <exception cref="FileNotFoundException">A file of the format is missing.</exception>
    /// <exception cref="DataFormatException">A row is malformed or names an unknown user or item.</exception>
    /// <exception cref="InvalidDataException"><c>dataset.json</c> is not this format, or the content is inconsistent.</exception>
    public static InteractionDataset Read(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var metadata = ReadMetadata(DatasetFiles.Require(folder, MetadataFile, Format));
        var fieldNames = metadata.UserFields.Select(f => f.Name).ToArray();

        var userIds = new List<string>();
        var userFields = new List<int>();
        ReadCsv(DatasetFiles.Require(folder, UsersFile, Format), ["user_id", .. fieldNames], (line, fields) =>
        {
            userIds.Add(Id(line, fields[0], "user id"));
            for (var f = 1; f < fields.Length; f++)
            {
                userFields.Add(line.ParseInt(fields[f], $"user field '{fieldNames[f - 1]}'"));
            }
        });
        var itemIds = new List<string>();
        var itemFeatures = new List<float>();
        ReadCsv(DatasetFiles.Require(folder, ItemsFile, Format), ["item_id", .. metadata.ItemFeatures], (line, fields) =>
        {
            itemIds.Add(Id(line, fields[0], "item id"));
            for (var f = 1; f < fields.Length; f++)
            {
                itemFeatures.Add(line.ParseFloat(fields[f], $"item feature '{metadata.ItemFeatures[f - 1]}'"));
            }
        });

        var userIndex = Index(userIds, UsersFile);
        var itemIndex = Index(itemIds, ItemsFile);
        var interactions = new List<Interaction>();
        string[] header = [GenericCsv.UserColumn, GenericCsv.ItemColumn, metadata.HasRatings ? GenericCsv.RatingColumn : GenericCsv.LabelColumn, GenericCsv.TimestampColumn];
        ReadCsv(DatasetFiles.Require(folder, InteractionsFile, Format), header, (line, fields) =>
        {
            var user = userIndex.TryGetValue(fields[0], out var u) ? u : throw line.Error($"user '{fields[0]}' is not in {UsersFile}");
            var item = itemIndex.TryGetValue(fields[1], out var i) ? i : throw line.Error($"item '{fields[1]}' is not in {ItemsFile}");
            interactions.Add(new Interaction(user, item, line.ParseFloat(fields[2], header[2]), line.ParseLong(fields[3], "timestamp")));
        });

        try
        {
            return new InteractionDataset(
                metadata.Name,
                userIds,
                itemIds,
                interactions,
                metadata.HasRatings,
                metadata.ItemFeatures,
                [.. itemFeatures],
                fieldNames,
                [.. metadata.UserFields.Select(f => f.Cardinality)],
                [.. userFields]);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{Format} '{folder}' is not consistent: {e.Message}", e);
        }
    }

    private static Metadata ReadMetadata(string path)
    {
        Metadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<Metadata>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Format}: '{path}' is not valid JSON: {e.Message}", e);
        }
        if (metadata?.Format != FormatName)
        {
            throw new InvalidDataException($"{Format}: '{path}' has format '{metadata?.Format}'; this version reads '{FormatName}'.");
        }
        return metadata is { Name.Length: > 0, ItemFeatures: not null, UserFields: not null }
            ? metadata
            : throw new InvalidDataException($"{Format}: '{path}' lacks name, itemFeatures or userFields.");
    }

    private static void WriteCsv(string path, IReadOnlyList<string> header, int rows, Action<int, List<string>> fill)
    {
        using var writer = new StreamWriter(path, append: false, Utf8, bufferSize: 1 << 16) { NewLine = "\n" };
        writer.WriteLine(string.Join(',', header.Select(Quote)));
        var row = new List<string>(header.Count);
        for (var r = 0; r < rows; r++)
        {
            row.Clear();
            fill(r, row);
            writer.WriteLine(string.Join(',', row.Select(Quote)));
        }
    }

    private static void ReadCsv(string path, string[] header, Action<SourceLine, string[]> row)
    {
        var first = true;
        foreach (var (line, fields) in CsvRecords.Read(path, Encoding.UTF8))
        {
            if (first)
            {
                if (!fields.SequenceEqual(header, StringComparer.Ordinal))
                {
                    throw line.Error($"expected the header '{string.Join(',', header)}' (from {MetadataFile}), found '{string.Join(',', fields)}'");
                }
                first = false;
                continue;
            }
            CsvRecords.RequireFieldCount(line, fields, header.Length);
            row(line, fields);
        }
        if (first)
        {
            throw new DataFormatException(path, 1, $"the file is empty; expected the header '{string.Join(',', header)}'");
        }
    }

    private static Dictionary<string, int> Index(List<string> ids, string file)
    {
        var index = new Dictionary<string, int>(ids.Count, StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            if (!index.TryAdd(ids[i], i))
            {
                throw new InvalidDataException($"{Format}: {file} lists '{ids[i]}' twice.");
            }
        }
        return index;
    }

    /// <summary>An id exactly as written (quoted when it has spaces, commas or quotes): never trimmed.</summary>
    private static string Id(SourceLine line, string text, string what) => text.Length > 0 ? text : throw line.Error($"{what} is empty");

    /// <summary>The shortest text that reads back as the same float.</summary>
    private static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string field)
    {
        if (field.Any(char.IsControl))
        {
            throw new ArgumentException($"'{field.ReplaceLineEndings(" ")}' holds a control character; ids and names must not", nameof(field));
        }
        return field.Length == 0 || field.Any(c => c is ',' or '"' || char.IsWhiteSpace(c))
            ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;
    }
}
