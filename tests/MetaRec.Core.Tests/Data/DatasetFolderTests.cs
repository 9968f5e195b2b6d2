using MetaRec.Core.Data;
using MetaRec.Testing;

namespace MetaRec.Core.Tests.Data;

/// <summary>The project's own dataset format: whatever is written reads back as the same dataset.</summary>
public sealed class DatasetFolderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Sub(string name) => Path.Combine(_folder.Path, name);

    private static InteractionDataset Odd() => new(
        "odd ids",
        ["u,1", "u \"2\"", " padded ", "ü-3"],
        ["sku,a", "sku\"b", "c"],
        [new Interaction(3, 2, 1f, 5), new Interaction(0, 0, 0f, -2), new Interaction(1, 1, 1f, long.MaxValue), new Interaction(2, 0, 1f, 5)],
        hasRatings: false,
        ["weight, kg", "Children's"],
        [0.1f, -0f, 1e-30f, 3f, float.MaxValue, 0.5f],
        ["age", "kind"],
        [3, 2],
        [0, 1, 2, 0, 1, 1, 0, 0]);

    private static void AssertSame(InteractionDataset expected, InteractionDataset actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.UserIds, actual.UserIds);
        Assert.Equal(expected.ItemIds, actual.ItemIds);
        Assert.Equal(expected.Interactions, actual.Interactions);
        Assert.Equal(expected.HasRatings, actual.HasRatings);
        Assert.Equal(expected.ItemFeatureNames, actual.ItemFeatureNames);
        Assert.Equal(expected.ItemFeatures.Select(BitConverter.SingleToInt32Bits), actual.ItemFeatures.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected.UserFieldNames, actual.UserFieldNames);
        Assert.Equal(expected.UserFieldCardinalities, actual.UserFieldCardinalities);
        Assert.Equal(expected.UserFields, actual.UserFields);
        Assert.Equal(DatasetFingerprint.Compute(expected), DatasetFingerprint.Compute(actual));
    }

    [Fact]
    public void Ids_with_commas_quotes_and_spaces_features_and_fields_read_back_exactly_and_the_bytes_repeat()
    {
        DatasetFolder.Write(Odd(), Sub("a"));
        DatasetFolder.Write(DatasetReader.Read(Sub("a")), Sub("b"));

        AssertSame(Odd(), DatasetReader.Read(Sub("a")));
        foreach (var file in DatasetFolder.Files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(Sub("a"), file)), File.ReadAllBytes(Path.Combine(Sub("b"), file)));
        }
        // interactions.csv is a generic CSV file too (which trims ids, so " padded " would not survive it).
        var generic = GenericCsv.Read(Path.Combine(Sub("a"), DatasetFolder.InteractionsFile));
        Assert.Equal((4, false), (generic.Interactions.Count, generic.HasRatings));
        Assert.Contains("u,1", generic.UserIds);
    }

    [Fact]
    public void The_shipped_movielens_reads_back_as_the_same_dataset()
    {
        var shipped = DatasetReader.Read(Path.Combine(DatasetPaths.RepoRoot, "datasets", "ml-latest-small"));

        DatasetFolder.Write(shipped, Sub("copy"));

        AssertSame(shipped, DatasetReader.Read(Sub("copy")));
    }

    [Fact]
    public void A_bad_folder_fails_naming_the_file_and_line()
    {
        DatasetFolder.Write(Odd(), Sub("d"));
        Assert.Throws<ArgumentException>(() => DatasetFolder.Write(
            new InteractionDataset("x", ["line\nbreak"], ["i"], [], true, [], [], [], [], []), Sub("e")));

        File.AppendAllText(Path.Combine(Sub("d"), DatasetFolder.InteractionsFile), "nobody,c,1,1\n");
        var unknown = Assert.Throws<DataFormatException>(() => DatasetReader.Read(Sub("d")));
        Assert.Equal("interactions.csv line 6: user 'nobody' is not in users.csv", unknown.Message);

        File.WriteAllText(Path.Combine(Sub("d"), DatasetFolder.UsersFile), "user_id,age\n");
        var header = Assert.Throws<DataFormatException>(() => DatasetReader.Read(Sub("d")));
        Assert.StartsWith("users.csv line 1: expected the header 'user_id,age,kind'", header.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(Sub("d"), DatasetFolder.MetadataFile), """{"format":"metarec-dataset/9","name":"x","hasRatings":true,"itemFeatures":[],"userFields":[]}""");
        Assert.Contains("this version reads 'metarec-dataset/1'", Assert.Throws<InvalidDataException>(() => DatasetReader.Read(Sub("d"))).Message, StringComparison.Ordinal);
    }
}
