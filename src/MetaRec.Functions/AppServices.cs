using MetaRec.Core.Plugins;
using MetaRec.Core.Tensors;
using MetaRec.Functions.Functions;
using MetaRec.Functions.Generation;
using MetaRec.Functions.Interactions;
using MetaRec.Functions.Serving;
using MetaRec.Functions.Timers;
using MetaRec.Storage.Embeddings;
using MetaRec.Storage.Users;
using Microsoft.Extensions.Options;

namespace MetaRec.Functions;

/// <summary>
/// The app's services, composed the same way under both hosts: settings, plugins, storage,
/// serving (the active model, user states, caches, the scorer), event processing, and the
/// function classes. The training pipeline is <see cref="Training.TrainingServices.AddMetaRecTraining"/>.
/// </summary>
public static class AppServices
{
    /// <summary>The app's settings from configuration section <c>MetaRec</c>, validated (an <see cref="ArgumentException"/> names the bad setting).</summary>
    public static FunctionAppOptions ReadSettings(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.GetSection(FunctionAppOptions.Section).Get<FunctionAppOptions>() ?? new FunctionAppOptions();
        settings.Timers.HostTimeZone = configuration[TimerOptions.HostTimeZoneSetting];
        settings.Validate();
        return settings;
    }

    public static IServiceCollection AddMetaRecServing(this IServiceCollection services, FunctionAppOptions settings, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton(Options.Create(settings));
        services.AddProblemDetails();
        services.AddExceptionHandler<Http.StorageUnavailableHandler>();
        services.AddSingleton(provider => new Http.RequestLimits(settings.Limits, provider.GetRequiredService<ILogger<Http.RequestLimits>>()));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(provider =>
        {
            TorchRuntime.EnsureInitialized(threads: 1);
            var folder = configuration["MetaRec:PluginsFolder"] is { Length: > 0 } configured ? configured : Path.Combine(AppContext.BaseDirectory, "plugins");
            var catalog = PluginLoader.LoadFolder(folder);
            var log = provider.GetRequiredService<ILoggerFactory>().CreateLogger("MetaRec.Plugins");
            foreach (var failure in catalog.Failures)
            {
                log.LogWarning("plugin {Plugin} not loaded: {Reason}", failure.Plugin, failure.Reason);
            }
            return catalog;
        });
        services.AddSingleton(_ => settings.Storage.CreateRegistry());
        services.AddSingleton<IEmbeddingStore>(provider => new CachedEmbeddingStore(settings.Storage.CreateEmbeddingStore(), settings.Scoring.CacheCapacity, settings.Scoring.CacheMaxAge, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => settings.Storage.CreateInteractionLog());
        services.AddSingleton(_ => settings.Storage.CreateWindowStore());
        services.AddSingleton<ActiveModelProvider>();
        services.AddHostedService<ActiveModelWatcher>();
        services.AddHostedService<WindowLayoutMigration>();
        services.AddSingleton<ModelGate>();
        services.AddSingleton<UserStates>();
        services.AddSingleton<RecommendationCache>();
        services.AddSingleton<Scorer>();
        services.AddSingleton<RefreshScheduler>();
        services.AddSingleton<InteractionProcessor>();
        services.AddSingleton<UserDataEraser>();
        services.AddSingleton<UserDeletion>();
        services.AddSingleton<InteractionsFunction>();
        services.AddSingleton<ScoringFunctions>();
        services.AddSingleton<HealthFunctions>();
        services.AddSingleton<EventsFunction>();
        services.AddSingleton<UsersFunction>();
        services.AddTimerFunction<GenerateServingModelFunction>();
        return services;
    }
}
