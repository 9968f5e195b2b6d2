using MetaRec.Core.Configuration;

namespace MetaRec.Plugins.Asmg;

/// <summary>
/// The base model's settings with the paper's defaults: dim (8, every embedding), history (30,
/// past items averaged into the user's history), hidden1 (20), hidden2 (10), lr (1e-3, Adam; the
/// paper uses 1e-2 on Tmall and Sobazaar, 1e-3 on MovieLens), weight_decay (0).
/// </summary>
internal sealed record AsmgSettings(int Dim, int History, int Hidden1, int Hidden2, float LearningRate, float WeightDecay, IReadOnlyDictionary<string, string> Effective)
{
    public static AsmgSettings Read(IReadOnlyDictionary<string, string> given)
    {
        var reader = new SettingsReader(given);
        var settings = new AsmgSettings(
            reader.Int("dim", 8, 1, 1024),
            reader.Int("history", 30, 1, 1000),
            reader.Int("hidden1", 20, 1, 4096),
            reader.Int("hidden2", 10, 1, 4096),
            reader.Float("lr", 1e-3f, 1e-7f, 1),
            reader.Float("weight_decay", 0f, 0, 1),
            reader.Effective);
        reader.ThrowOnUnknown();
        return settings;
    }
}
