using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using MetaRec.Abstractions;

namespace MetaRec.Core.Checkpoints;

/// <summary>
/// The model file format every family uses: an 8-byte magic, a length-prefixed JSON header
/// (family, settings, catalogue schema, tensor names and shapes), then the catalogue's item
/// features and every tensor as little-endian float32, in header order.
/// </summary>
public static class ModelCheckpoint
{
    private static readonly byte[] Magic = "MRCKPT01"u8.ToArray();
    private const int MaxHeaderBytes = 16 << 20;

    /// <summary>Writes a checkpoint to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, CheckpointContents contents)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(contents);
        var header = new Header(
            contents.Family,
            new SortedDictionary<string, string>(contents.Settings.ToDictionary(), StringComparer.Ordinal),
            contents.Catalogue.Schema.ItemCount,
            contents.Catalogue.Schema.ItemFeatureCount,
            [.. contents.Catalogue.Schema.UserFieldCardinalities],
            [.. contents.Tensors.Select(t => new TensorEntry(t.Name, t.Shape))]);
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        stream.Write(Magic);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, json.Length);
        stream.Write(length);
        stream.Write(json);
        WriteFloats(stream, contents.Catalogue.ItemFeatures);
        foreach (var tensor in contents.Tensors)
        {
            if (tensor.Values.LongLength != tensor.Shape.Aggregate(1L, (a, b) => a * b))
            {
                throw new ArgumentException($"tensor '{tensor.Name}' has {tensor.Values.Length} values for shape [{string.Join(", ", tensor.Shape)}]");
            }
            WriteFloats(stream, tensor.Values);
        }
    }

    /// <summary>
    /// What every family's <c>Load</c> does: reads a checkpoint that must be of
    /// <paramref name="family"/>, builds the model from its settings and catalogue with
    /// <paramref name="create"/>, and fills the weights with <paramref name="loadWeights"/>. A
    /// model whose weights do not fit is disposed before the error leaves.
    /// </summary>
    public static TModel Load<TModel>(Stream stream, string family, Func<CheckpointContents, TModel> create, Action<TModel, IReadOnlyList<NamedTensor>> loadWeights)
        where TModel : IDisposable
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(loadWeights);
        var contents = Read(stream);
        if (contents.Family != family)
        {
            throw new InvalidDataException($"checkpoint is of family '{contents.Family}', not '{family}'");
        }
        var model = create(contents);
        try
        {
            loadWeights(model, contents.Tensors);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Reads a checkpoint; a truncated or malformed stream throws <see cref="InvalidDataException"/>.</summary>
    public static CheckpointContents Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var magic = ReadExactly(stream, Magic.Length, "magic");
        if (!magic.AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a MetaRec model checkpoint (bad magic)");
        }
        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(ReadExactly(stream, 4, "header length"));
        if (headerLength <= 0 || headerLength > MaxHeaderBytes)
        {
            throw new InvalidDataException($"checkpoint header length {headerLength} is out of range");
        }
        var header = JsonSerializer.Deserialize<Header>(ReadExactly(stream, headerLength, "header"))
            ?? throw new InvalidDataException("checkpoint header is empty");
        var schema = new FeatureSchema(header.ItemCount, header.ItemFeatureCount, header.UserFieldCardinalities);
        var catalogue = new Catalogue(schema, ReadFloats(stream, (long)header.ItemCount * header.ItemFeatureCount, "item features"));
        var tensors = header.Tensors
            .Select(t => new NamedTensor(t.Name, t.Shape, ReadFloats(stream, t.Shape.Aggregate(1L, (a, b) => a * b), t.Name)))
            .ToList();
        return new CheckpointContents(header.Family, header.Settings, catalogue, tensors);
    }

    private static void WriteFloats(Stream stream, float[] values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("checkpoints are written on little-endian machines only");
        }
        stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static float[] ReadFloats(Stream stream, long count, string what)
    {
        if (count < 0 || count > int.MaxValue / sizeof(float))
        {
            throw new InvalidDataException($"checkpoint section '{what}' has an impossible size {count}");
        }
        var values = new float[count];
        try
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"checkpoint is truncated in '{what}'", e);
        }
        return values;
    }

    private static byte[] ReadExactly(Stream stream, int count, string what)
    {
        var buffer = new byte[count];
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"checkpoint is truncated in '{what}'", e);
        }
        return buffer;
    }

    private sealed record Header(
        string Family,
        SortedDictionary<string, string> Settings,
        int ItemCount,
        int ItemFeatureCount,
        int[] UserFieldCardinalities,
        TensorEntry[] Tensors);

    private sealed record TensorEntry(string Name, long[] Shape);
}

/// <summary>A named tensor as managed values.</summary>
public sealed record NamedTensor(string Name, long[] Shape, float[] Values);

/// <summary>Everything a checkpoint holds.</summary>
public sealed record CheckpointContents(
    string Family,
    IReadOnlyDictionary<string, string> Settings,
    Catalogue Catalogue,
    IReadOnlyList<NamedTensor> Tensors);
