using MetaRec.Core.Data;
using MetaRec.Testing;

namespace MetaRec.Core.Tests.Data;

public sealed class SequenceReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Reads_users_in_file_order_items_numerically_and_drops_immediate_repeats()
    {
        var file = _folder.Write("shop.txt", ["7 30 4 4 4 30", "", "2\t100 4  9 9"]);

        var data = SequenceReader.Read(file);

        Assert.Equal("shop", data.Name);
        Assert.Equal(["7", "2"], data.UserIds);
        Assert.Equal(["4", "9", "30", "100"], data.ItemIds);
        // 30 4 4 4 30 -> 30 4 30 (only immediate repeats go; the later 30 stays).
        Assert.Equal([2, 0, 2], data.Sequences[0]);
        Assert.Equal([3, 0, 1], data.Sequences[1]);
        Assert.Equal(6, data.InteractionCount);
    }

    [Theory]
    [InlineData("5", "bad.txt line 2: user 5 has no items (expected: user item item …)")]
    [InlineData("1 8 9", "bad.txt line 2: user 1 already has a line (1); a user's items belong on one line")]
    [InlineData("5 1,2", "bad.txt line 2: '1,2' is not an id: fields are separated by spaces (user item item …), not by ','")]
    public void A_bad_line_names_the_file_and_the_line(string line, string message)
    {
        var file = _folder.Write("bad.txt", ["1 2 3", line, "9 1 2"]);

        var e = Assert.Throws<DataFormatException>(() => SequenceReader.Read(file));

        Assert.Equal(message, e.Message);
        Assert.Equal(2, e.Line);
        Assert.Equal(file, e.File);
    }

    [Fact]
    public void A_file_without_users_or_a_missing_file_is_an_error()
    {
        var empty = _folder.Write("empty.txt", ["", "  "]);

        Assert.StartsWith("empty.txt line 1: the file holds no user lines", Assert.Throws<DataFormatException>(() => SequenceReader.Read(empty)).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => SequenceReader.Read(Path.Combine(_folder.Path, "none.txt")));
    }

    [Theory]
    [InlineData("Beauty.txt", 497, 568)]
    [InlineData("Sports_and_Outdoors.txt", 388, 440)]
    [InlineData("Toys_and_Games.txt", 377, 451)]
    public void Reads_every_seq_tiny_domain(string file, int items, int interactions)
    {
        var path = Path.Combine(DatasetPaths.Require("tiny/seq-tiny"), file);

        var data = SequenceReader.Read(path);

        Assert.Equal(40, data.UserCount);
        Assert.Equal(items, data.ItemCount);
        Assert.Equal(interactions, data.InteractionCount);
        Assert.All(data.Sequences, s => Assert.All(s.Zip(s.Skip(1)), p => Assert.NotEqual(p.First, p.Second)));
        // The first line is user 1 and items are numbered from 1 in the file, so index = id − 1.
        Assert.Equal("1", data.UserIds[0]);
        Assert.Equal([.. File.ReadLines(path).First().Split(' ').Skip(1).Distinct().Select(id => int.Parse(id, System.Globalization.CultureInfo.InvariantCulture) - 1)], data.Sequences[0]);
    }
}
