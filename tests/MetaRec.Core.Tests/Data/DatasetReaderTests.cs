using MetaRec.Core.Data;
using MetaRec.Testing;

namespace MetaRec.Core.Tests.Data;

public sealed class DatasetReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Detects_movielens_100k()
    {
        _folder.Write("u.item", [MovieLens100KTests.Item("1", "Toy Story (1995)", 3)]);
        _folder.Write("u.user", ["1|24|M|technician|85711"]);
        _folder.Write("u.data", ["1\t1\t3\t891717742"]);

        var data = DatasetReader.Read(_folder.Path);

        Assert.Equal(19, data.ItemFeatureCount);
        Assert.Equal(Path.GetFileName(_folder.Path), data.Name);
    }

    [Fact]
    public void Detects_movielens_1m()
    {
        _folder.Write("movies.dat", ["1::Toy Story (1995)::Comedy"]);
        _folder.Write("users.dat", ["1::F::1::10::48067"]);
        _folder.Write("ratings.dat", ["1::1::5::978300760"]);

        var data = DatasetReader.Read(_folder.Path);

        Assert.Equal(["Comedy"], data.ItemFeatureNames);
        Assert.Equal(3, data.UserFieldCount);
    }

    [Fact]
    public void Detects_movielens_latest_and_generic_csv()
    {
        _folder.Write("movies.csv", ["movieId,title,genres", "1,Toy Story (1995),Comedy"]);
        var ratings = _folder.Write("ratings.csv", ["userId,movieId,rating,timestamp", "1,1,4.0,964982703"]);
        var generic = _folder.Write("clicks.csv", ["user_id,item_id,label", "1,1,1"]);

        Assert.True(DatasetReader.Read(_folder.Path).HasRatings);
        Assert.False(DatasetReader.Read(generic).HasRatings);
        // ratings.csv alone, given as a file, is read as generic: its header does not fit.
        Assert.Throws<DataFormatException>(() => DatasetReader.Read(ratings));
    }

    [Fact]
    public void An_unknown_folder_lists_what_was_looked_for()
    {
        _folder.Write("ratings.csv", ["userId,movieId,rating,timestamp"]);

        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(_folder.Path));

        foreach (var expected in new[] { "u.data", "ratings.dat", "ratings.csv + movies.csv", ".csv file", "user_id" })
        {
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_missing_path_or_non_csv_file_is_a_clear_error()
    {
        var missing = Path.Combine(_folder.Path, "nothing-here");
        var text = _folder.Write("notes.txt", ["hello"]);

        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => DatasetReader.Read(missing)).Message, StringComparison.Ordinal);
        Assert.Contains("notes.txt", Assert.Throws<InvalidDataException>(() => DatasetReader.Read(text)).Message, StringComparison.Ordinal);
    }
}
