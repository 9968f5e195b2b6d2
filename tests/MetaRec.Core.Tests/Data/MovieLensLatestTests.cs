using MetaRec.Core.Data;
using MetaRec.Testing;

namespace MetaRec.Core.Tests.Data;

public sealed class MovieLensLatestTests : IDisposable
{
    private static readonly string[] Movies =
    [
        "movieId,title,genres",
        "1,Toy Story (1995),Adventure|Animation",
        "11,\"American President, The (1995)\",Comedy|Drama|Romance",
        "7789,\"11'09\"\"01 - September 11 (2002)\",Drama",
        "5,Nothing Listed (2000),(no genres listed)",
    ];

    private readonly TempFolder _folder = new();

    public MovieLensLatestTests() => _folder.Write("movies.csv", Movies);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Reads_quoted_titles_with_commas_and_genres()
    {
        _folder.Write("ratings.csv", ["userId,movieId,rating,timestamp", "2,11,4.5,964982703", "10,7789,0.5,964981247", "2,1,3.0,964982224"]);

        var data = MovieLensLatest.Read(_folder.Path);

        Assert.Equal(["2", "10"], data.UserIds);
        Assert.Equal(["1", "5", "11", "7789"], data.ItemIds);
        Interaction[] expected = [new(0, 2, 4.5f, 964982703), new(1, 3, 0.5f, 964981247), new(0, 0, 3f, 964982224)];
        Assert.Equal(expected, data.Interactions);
        Assert.Equal(["Adventure", "Animation", "Comedy", "Drama", "Romance"], data.ItemFeatureNames);
        Assert.Equal(
            [
                1, 1, 0, 0, 0, // 1: Adventure|Animation
                0, 0, 0, 0, 0, // 5: (no genres listed)
                0, 0, 1, 1, 1, // 11: Comedy|Drama|Romance (the title's comma is quoted)
                0, 0, 0, 1, 0, // 7789: Drama (the title holds a doubled quote)
            ],
            data.ItemFeatures);
        Assert.Empty(data.UserFieldNames);
        Assert.Empty(data.UserFields);
        Assert.Empty(data.UserFieldsOf(1));
    }

    [Theory]
    [InlineData("2,1,5.5,964982703", "ratings.csv line 3: rating 5.5 is out of range [0.5, 5]")]
    [InlineData("2,1,0,964982703", "ratings.csv line 3: rating 0 is out of range [0.5, 5]")]
    [InlineData("2,1,4.0", "ratings.csv line 3: expected 4 comma-separated fields, found 3")]
    [InlineData("2,99,4.0,964982703", "ratings.csv line 3: movie 99 is not in movies.csv")]
    [InlineData("2,1,4.0,soon", "ratings.csv line 3: timestamp must be an integer, found 'soon'")]
    public void Bad_ratings_name_the_file_and_line(string row, string message)
    {
        _folder.Write("ratings.csv", ["userId,movieId,rating,timestamp", "2,11,4.5,964982703", row]);

        var e = Assert.Throws<DataFormatException>(() => MovieLensLatest.Read(_folder.Path));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_quoted_field_over_two_lines_keeps_later_line_numbers_right()
    {
        _folder.Write("movies.csv", ["movieId,title,genres", "1,\"Two", "Lines (1995)\",Drama", "2,Broken (1995)"]);
        _folder.Write("ratings.csv", ["userId,movieId,rating,timestamp"]);

        var e = Assert.Throws<DataFormatException>(() => MovieLensLatest.Read(_folder.Path));

        Assert.Equal("movies.csv line 4: expected 3 comma-separated fields, found 2", e.Message);
    }

    [Theory]
    [InlineData("2,\"Unclosed (1995),Drama", "movies.csv line 3: quoted field is not closed before the end of the file")]
    [InlineData("2,\"Closed\" (1995),Drama", "movies.csv line 3: unexpected ' ' after a closing quote (field 2)")]
    [InlineData("2,Half \"quoted\" (1995),Drama", "movies.csv line 3: a quote inside an unquoted field (field 2); quote the whole field")]
    [InlineData("1,Again (1995),Drama", "movies.csv line 3: item 1 is listed twice")]
    public void Malformed_movies_name_the_file_and_line(string row, string message)
    {
        _folder.Write("movies.csv", ["movieId,title,genres", "1,Toy Story (1995),Animation", row]);
        _folder.Write("ratings.csv", ["userId,movieId,rating,timestamp"]);

        var e = Assert.Throws<DataFormatException>(() => MovieLensLatest.Read(_folder.Path));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_wrong_header_is_reported()
    {
        _folder.Write("ratings.csv", ["user,movie,rating,timestamp"]);

        var e = Assert.Throws<DataFormatException>(() => MovieLensLatest.Read(_folder.Path));

        Assert.Equal("ratings.csv line 1: expected the header 'userId,movieId,rating,timestamp', found 'user,movie,rating,timestamp'", e.Message);
    }
}
