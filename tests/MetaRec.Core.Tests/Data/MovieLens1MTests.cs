using System.Text;
using MetaRec.Core.Data;
using MetaRec.Testing;

namespace MetaRec.Core.Tests.Data;

public sealed class MovieLens1MTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public MovieLens1MTests()
    {
        // Latin-1 titles: these bytes (0xE9, 0xE8) are not valid UTF-8.
        _folder.Write("movies.dat",
        [
            "1::Toy Story (1995)::Animation|Children's|Comedy",
            "2::Misérables, Les (1995)::Drama|Musical",
            "3::C'est arrivé près de chez vous (1992)::Comedy|Crime|Drama",
        ], Encoding.Latin1);
        _folder.Write("users.dat", ["1::F::1::10::48067", "2::M::56::16::70072", "3::M::25::0::55117"]);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Reads_latin1_movies_genres_and_bucketed_user_fields()
    {
        _folder.Write("ratings.dat", ["1::1::5::978300760", "2::2::3::978302109", "3::3::4::978301968", "1::3::1::978300275"]);

        var data = MovieLens1M.Read(_folder.Path);

        Assert.Equal(["1", "2", "3"], data.UserIds);
        Assert.Equal(["1", "2", "3"], data.ItemIds);
        Assert.Equal(4, data.Interactions.Count);
        Assert.Equal(new Interaction(0, 2, 1f, 978300275), data.Interactions[3]);
        Assert.Equal(["Animation", "Children's", "Comedy", "Crime", "Drama", "Musical"], data.ItemFeatureNames);
        Assert.Equal([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0], data.ItemFeatures);
        // Age bucket (code 1 -> 1, 56 -> 7, 25 -> 3), gender F=1 M=2, occupation code + 1.
        Assert.Equal([8, 3, 22], data.UserFieldCardinalities);
        Assert.Equal([1, 1, 11], data.UserFieldsOf(0));
        Assert.Equal([7, 2, 17], data.UserFieldsOf(1));
        Assert.Equal([3, 2, 1], data.UserFieldsOf(2));
    }

    [Theory]
    [InlineData("1::1::5", "ratings.dat line 2: expected 4 '::'-separated fields, found 3")]
    [InlineData("1::1::5.5::978300760", "ratings.dat line 2: rating must be an integer, found '5.5'")]
    [InlineData("1::4::5::978300760", "ratings.dat line 2: item 4 is not in movies.dat")]
    [InlineData("9::1::5::978300760", "ratings.dat line 2: user 9 is not in users.dat")]
    public void Bad_ratings_name_the_file_and_line(string row, string message)
    {
        _folder.Write("ratings.dat", ["1::1::5::978300760", row]);

        var e = Assert.Throws<DataFormatException>(() => MovieLens1M.Read(_folder.Path));

        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("4::F::30::10::48067", "users.dat line 4: age 30 is not a MovieLens 1M age code (1, 18, 25, 35, 45, 50, 56)")]
    [InlineData("4::F::18::21::48067", "users.dat line 4: occupation 21 is out of range [0, 20]")]
    [InlineData("1::F::18::2::48067", "users.dat line 4: user 1 is listed twice")]
    public void Bad_users_name_the_file_and_line(string row, string message)
    {
        _folder.Write("ratings.dat", ["1::1::5::978300760"]);
        _folder.Write("users.dat", ["1::F::1::10::48067", "2::M::56::16::70072", "3::M::25::0::55117", row]);

        var e = Assert.Throws<DataFormatException>(() => MovieLens1M.Read(_folder.Path));

        Assert.Equal(message, e.Message);
    }
}
