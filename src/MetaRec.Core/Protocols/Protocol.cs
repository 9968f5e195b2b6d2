using MetaRec.Core.Data;

namespace MetaRec.Core.Protocols;

/// <summary>Picks a protocol by name: the one place that maps names to splits.</summary>
public static class Protocol
{
    /// <summary>Canonical protocol name for "cold", "cold-start" or "warm".</summary>
    /// <exception cref="ArgumentException">Any other name.</exception>
    public static string Normalize(string name) => name switch
    {
        "cold" or ColdStartProtocol.Name => ColdStartProtocol.Name,
        WarmProtocol.Name => WarmProtocol.Name,
        _ => throw new ArgumentException($"protocol must be cold or warm, not '{name}'", nameof(name)),
    };

    /// <summary>Splits <paramref name="dataset"/> with the named protocol.</summary>
    public static TaskSplit Split(string name, InteractionDataset dataset, ColdStartOptions options) =>
        Normalize(name) == WarmProtocol.Name ? WarmProtocol.Split(dataset, options) : ColdStartProtocol.Split(dataset, options);
}
