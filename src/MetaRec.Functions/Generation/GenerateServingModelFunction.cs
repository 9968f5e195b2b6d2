using MetaRec.Core.Plugins;
using MetaRec.Functions.Timers;
using MetaRec.Incremental;
using MetaRec.Storage.Registry;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions.Generation;

/// <summary>
/// <c>GenerateServingModel</c>, a timer function: ASMG's scheduled generation over the registry
/// (see <see cref="ScheduledGeneration"/>). The served family's last period checkpoints go
/// through the configured generator; the generated model is registered with its lineage and
/// promoted only if it beats the active model on the latest period. Every instance's model
/// watcher then swaps it in. Off while <c>MetaRec:Generation:Generator</c> is empty.
/// </summary>
public sealed partial class GenerateServingModelFunction(PluginCatalog plugins, IModelRegistry registry, IOptions<FunctionAppOptions> options, ILogger<GenerateServingModelFunction> log) : ITimerFunction
{
    public const string FunctionName = "GenerateServingModel";

    private readonly FunctionAppOptions _options = options.Value;

    public string Name => FunctionName;

    public TimerFunctionOptions Timer => _options.Generation;

    public async Task<TimerOutcome> RunAsync(TimerInfo timer, CancellationToken cancellation)
    {
        var settings = _options.Generation;
        if (settings.Generator.Length == 0)
        {
            return TimerOutcome.Success("generation is off (MetaRec:Generation:Generator is empty)");
        }
        var family = plugins.Get(_options.Family);
        var generator = plugins.GetGenerator(settings.Generator);
        if (!string.Equals(generator.BaseFamily, family.Name, StringComparison.OrdinalIgnoreCase))
        {
            return TimerOutcome.Failed($"generator '{generator.Name}' generates '{generator.BaseFamily}' models, but the app serves '{family.Name}'");
        }
        var generation = new ScheduledGeneration(new PeriodRegistry(registry), family, generator, settings.GeneratorSettings, settings.Seed);
        var outcome = await Task.Run(() => generation.RunAsync(() => PeriodData.Read(settings.Data, settings.Protocol), cancellation), cancellation).ConfigureAwait(false);
        foreach (var line in outcome.Lines)
        {
            LogStep(log, line);
        }
        var lines = new List<string>(outcome.Lines);
        if (timer.IsPastDue)
        {
            lines.Insert(0, "this run is past due (a scheduled run was missed)");
        }
        return TimerOutcome.Success(lines);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "generation: {Line}")]
    private static partial void LogStep(ILogger logger, string line);
}
