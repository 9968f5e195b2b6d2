using System.Runtime.InteropServices;

namespace MetaRec.Storage.Embeddings;

/// <summary>Float vectors to and from little-endian bytes.</summary>
internal static class EmbeddingCodec
{
    public static byte[] ToBytes(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return BitConverter.IsLittleEndian
            ? MemoryMarshal.AsBytes(values.AsSpan()).ToArray()
            : throw new PlatformNotSupportedException("embeddings are stored little-endian");
    }

    public static float[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new InvalidDataException($"stored embedding has {bytes.Length} bytes, not a whole number of floats");
        }
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
