using MetaRec.Core.Data;
using MetaRec.Testing;

namespace MetaRec.Core.Tests.Data;

public sealed class GenericCsvTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Reads_columns_in_any_order_and_ignores_extra_ones()
    {
        var file = _folder.Write("clicks.csv",
        [
            "Timestamp,note,ITEM_ID,label,user_id",
            "30,\"seen, twice\",b,1,u2",
            "10,,a,0,u1",
            "20,x,b,0,u1",
        ]);

        var data = GenericCsv.Read(file);

        Assert.Equal("clicks", data.Name);
        Assert.False(data.HasRatings);
        // Non-numeric ids are numbered ordinally.
        Assert.Equal(["u1", "u2"], data.UserIds);
        Assert.Equal(["a", "b"], data.ItemIds);
        Interaction[] expected = [new(1, 1, 1f, 30), new(0, 0, 0f, 10), new(0, 1, 0f, 20)];
        Assert.Equal(expected, data.Interactions);
        Assert.Equal(0, data.ItemFeatureCount);
        Assert.Empty(data.ItemFeatures);
        Assert.Empty(data.UserFieldCardinalities);
    }

    [Fact]
    public void Without_a_timestamp_column_the_row_order_is_time()
    {
        var file = _folder.Write("ratings.csv", ["user_id,item_id,rating", "7,100,3.5", "7,20,-1"]);

        var data = GenericCsv.Read(file);

        Assert.True(data.HasRatings);
        Interaction[] expected = [new(0, 1, 3.5f, 0), new(0, 0, -1f, 1)];
        Assert.Equal(expected, data.Interactions);
    }

    [Theory]
    [InlineData("user_id,rating,timestamp", "data.csv line 1: the header has no 'item_id' column")]
    [InlineData("user_id,item_id,timestamp", "data.csv line 1: the header has neither 'rating' nor 'label'")]
    [InlineData("user_id,item_id,rating,label", "data.csv line 1: the header has both 'rating' and 'label'")]
    [InlineData("user_id,item_id,rating,user_id", "data.csv line 1: column 'user_id' appears twice in the header")]
    public void A_bad_header_says_what_is_missing(string header, string message)
    {
        var file = _folder.Write("data.csv", [header]);

        var e = Assert.Throws<DataFormatException>(() => GenericCsv.Read(file));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("u,i,2", "data.csv line 3: label must be 0 or 1, found '2'")]
    [InlineData("u,i,yes", "data.csv line 3: label must be a finite number, found 'yes'")]
    [InlineData("u,,1", "data.csv line 3: item id is empty")]
    [InlineData("u,i", "data.csv line 3: expected 3 comma-separated fields, found 2")]
    public void Bad_rows_name_the_file_and_line(string row, string message)
    {
        var file = _folder.Write("data.csv", ["user_id,item_id,label", "u,j,0", row]);

        var e = Assert.Throws<DataFormatException>(() => GenericCsv.Read(file));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        var file = _folder.Write("empty.csv", []);

        var e = Assert.Throws<DataFormatException>(() => GenericCsv.Read(file));

        Assert.StartsWith("empty.csv line 1: the file is empty", e.Message, StringComparison.Ordinal);
    }
}
