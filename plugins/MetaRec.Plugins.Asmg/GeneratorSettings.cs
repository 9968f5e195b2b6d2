using MetaRec.Core.Configuration;

namespace MetaRec.Plugins.Asmg;

/// <summary>
/// A generator's settings: window (3, the k period models it reads), hidden (4, GRU hidden size
/// per element), loss (multi: every step's output is scored on the period after its input,
/// weighted j / Σj; single: only the last), lr (1e-2, Adam), epochs (3, passes over the periods
/// per training call), batch (512 tasks per step), init_scale (0.5, see <see cref="GruGenerator"/>).
/// lr and epochs were picked on ml-100k, seed 1, from (1e-3, 1) and (1e-2, 3): see
/// docs/results/incremental.md.
/// </summary>
internal sealed record GeneratorSettings(int Window, int Hidden, bool Multi, float LearningRate, int Epochs, int Batch, float InitScale, IReadOnlyDictionary<string, string> Effective)
{
    public static GeneratorSettings Read(IReadOnlyDictionary<string, string> given, bool recurrent)
    {
        var reader = new SettingsReader(given);
        var window = reader.Int("window", 3, 1, 64);
        var hidden = recurrent ? reader.Int("hidden", 4, 1, 64) : 0;
        var loss = recurrent ? reader.String("loss", "multi") : "single";
        if (loss is not ("multi" or "single"))
        {
            throw new ArgumentException($"setting 'loss' must be multi or single, not '{loss}'", nameof(given));
        }
        var settings = new GeneratorSettings(
            window,
            hidden,
            loss == "multi",
            reader.Float("lr", 1e-2f, 1e-7f, 1),
            reader.Int("epochs", 3, 1, 1000),
            reader.Int("batch", 512, 1, 1 << 20),
            recurrent ? reader.Float("init_scale", 0.5f, 1e-3f, 10) : 0,
            reader.Effective);
        reader.ThrowOnUnknown();
        return settings;
    }

    /// <summary>
    /// Loss weight of each of the window's outputs: j / Σj for the j-th (multi), or all on the
    /// last (single).
    /// </summary>
    public float[] LossWeights()
    {
        var weights = new float[Window];
        if (!Multi)
        {
            weights[^1] = 1;
            return weights;
        }
        var total = Window * (Window + 1) / 2f;
        for (var j = 1; j <= Window; j++)
        {
            weights[j - 1] = j / total;
        }
        return weights;
    }
}
