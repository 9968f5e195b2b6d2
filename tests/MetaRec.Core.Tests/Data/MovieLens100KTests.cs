using MetaRec.Core.Data;
using MetaRec.Testing;

namespace MetaRec.Core.Tests.Data;

public sealed class MovieLens100KTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public MovieLens100KTests()
    {
        _folder.Write("u.item",
        [
            Item("1", "Toy Story (1995)", 3, 4, 5),
            Item("2", "GoldenEye (1995)", 1, 2, 16),
            Item("10", "Richard III (1995)", 8, 17),
        ]);
        _folder.Write("u.user",
        [
            "1|24|M|technician|85711",
            "2|53|F|other|94043",
            "3|17|M|student|32067",
            "10|60|F|other|90210",
        ]);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Reads_users_items_ratings_genres_and_user_fields()
    {
        _folder.Write("u.data", ["10\t2\t5\t881250949", "1\t1\t3\t891717742", "2\t10\t1\t878887116"]);

        var data = MovieLens100K.Read(_folder.Path);

        // Ids are numbered numerically, not ordinally ("10" after "3").
        Assert.Equal(["1", "2", "3", "10"], data.UserIds);
        Assert.Equal(["1", "2", "10"], data.ItemIds);
        Assert.True(data.HasRatings);
        Assert.Equal(new Interaction(3, 1, 5f, 881250949), data.Interactions[0]);
        Assert.Equal(new Interaction(0, 0, 3f, 891717742), data.Interactions[1]);
        Assert.Equal(new Interaction(1, 2, 1f, 878887116), data.Interactions[2]);

        Assert.Equal(19, data.ItemFeatureCount);
        Assert.Equal("Animation", data.ItemFeatureNames[3]);
        Assert.Equal([3, 4, 5], Ones(data, 0));
        Assert.Equal([1, 2, 16], Ones(data, 1));
        Assert.Equal([8, 17], Ones(data, 2));

        Assert.Equal(["age", "gender", "occupation"], data.UserFieldNames);
        // Age: 7 buckets + unknown; gender F=1, M=2; occupation other=1, student=2, technician=3.
        Assert.Equal([8, 3, 4], data.UserFieldCardinalities);
        Assert.Equal([2, 2, 3], data.UserFieldsOf(0)); // 24 -> 18-24
        Assert.Equal([6, 1, 1], data.UserFieldsOf(1)); // 53 -> 50-55
        Assert.Equal([1, 2, 2], data.UserFieldsOf(2)); // 17 -> under 18
        Assert.Equal([7, 1, 1], data.UserFieldsOf(3)); // 60 -> 56+
        Assert.Equal(data.ItemCount, data.Schema.ItemCount);
        Assert.Equal(data.ItemFeatures, data.ToCatalogue().ItemFeatures);
    }

    [Fact]
    public void A_row_with_too_few_fields_names_the_file_and_line()
    {
        _folder.Write("u.data", ["1\t1\t3\t891717742", "", "2\t10\t1"]);

        var e = Assert.Throws<DataFormatException>(() => MovieLens100K.Read(_folder.Path));

        Assert.Equal("u.data line 3: expected 4 tab-separated fields, found 3", e.Message);
        Assert.Equal(3, e.Line);
        Assert.EndsWith("u.data", e.File, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1\t1\tfour\t891717742", "u.data line 2: rating must be an integer, found 'four'")]
    [InlineData("1\t1\t6\t891717742", "u.data line 2: rating 6 is out of range [1, 5]")]
    [InlineData("1\t1\t0\t891717742", "u.data line 2: rating 0 is out of range [1, 5]")]
    [InlineData("1\t1\t3\tyesterday", "u.data line 2: timestamp must be an integer, found 'yesterday'")]
    [InlineData("7\t1\t3\t891717742", "u.data line 2: user 7 is not in u.user")]
    [InlineData("1\t99\t3\t891717742", "u.data line 2: item 99 is not in u.item")]
    public void Bad_ratings_name_the_file_and_line(string row, string message)
    {
        _folder.Write("u.data", ["1\t1\t3\t891717742", row]);

        var e = Assert.Throws<DataFormatException>(() => MovieLens100K.Read(_folder.Path));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_bad_genre_flag_or_user_row_names_the_file_and_line()
    {
        _folder.Write("u.data", ["1\t1\t3\t891717742"]);
        _folder.Write("u.item", [Item("1", "Toy Story (1995)", 3), Item("2", "GoldenEye (1995)", 1).Replace("|1|", "|x|", StringComparison.Ordinal)]);

        var item = Assert.Throws<DataFormatException>(() => MovieLens100K.Read(_folder.Path));
        Assert.Equal("u.item line 2: genre flag 'Action' must be 0 or 1, found 'x'", item.Message);

        _folder.Write("u.item", [Item("1", "Toy Story (1995)", 3)]);
        _folder.Write("u.user", ["1|24|M|technician|85711", "2|old|F|other|94043"]);
        var user = Assert.Throws<DataFormatException>(() => MovieLens100K.Read(_folder.Path));
        Assert.Equal("u.user line 2: age must be an integer, found 'old'", user.Message);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var e = Assert.Throws<FileNotFoundException>(() => MovieLens100K.Read(_folder.Path));

        Assert.Contains("u.data", e.Message, StringComparison.Ordinal);
    }

    internal static string Item(string id, string title, params int[] genres)
    {
        var flags = new int[19];
        foreach (var g in genres)
        {
            flags[g] = 1;
        }
        return $"{id}|{title}|01-Jan-1995||http://us.imdb.com/M/title-exact?x|{string.Join('|', flags)}";
    }

    private static int[] Ones(InteractionDataset data, int item) =>
        [.. Enumerable.Range(0, data.ItemFeatureCount).Where(f => data.ItemFeatures[(item * data.ItemFeatureCount) + f] == 1f)];
}
