using Azure.Storage.Queues;
using MetaRec.Core.Plugins;
using MetaRec.Core.Tensors;
using MetaRec.Functions;
using MetaRec.Functions.Functions;
using MetaRec.Functions.Generation;
using MetaRec.Functions.Hosting;
using MetaRec.Functions.Interactions;
using MetaRec.Functions.Serving;
using MetaRec.Functions.Standalone;
using MetaRec.Functions.Timers;
using MetaRec.Functions.Training;
using MetaRec.Storage.Embeddings;
using Microsoft.Extensions.Options;

// The function app. Under the Functions host (FUNCTIONS_CUSTOMHANDLER_PORT set) it serves the
// custom-handler endpoints on 127.0.0.1:$port and the host owns triggers, routes and keys.
// Standalone it also serves /api routes itself, checks an API key, and runs its own queue trigger.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // per-request lines only when asked for
var port = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT");
var customHandler = !string.IsNullOrEmpty(port);
if (customHandler)
{
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
}
else if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:7071");
}

var settings = builder.Configuration.GetSection(FunctionAppOptions.Section).Get<FunctionAppOptions>() ?? new FunctionAppOptions();
if (!customHandler)
{
    settings.Timers.HostTimeZone = builder.Configuration[TimerOptions.HostTimeZoneSetting]; // under the host, the host reads it
}
try
{
    settings.Validate();
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
builder.Services.AddSingleton(Options.Create(settings));
builder.Services.AddProblemDetails();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(services =>
{
    TorchRuntime.EnsureInitialized(threads: 1);
    var folder = builder.Configuration["MetaRec:PluginsFolder"] ?? Path.Combine(AppContext.BaseDirectory, "plugins");
    var catalog = PluginLoader.LoadFolder(folder);
    var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("MetaRec.Plugins");
    foreach (var failure in catalog.Failures)
    {
        log.LogWarning("plugin {Plugin} not loaded: {Reason}", failure.Plugin, failure.Reason);
    }
    return catalog;
});
builder.Services.AddSingleton(_ => settings.Storage.CreateRegistry());
builder.Services.AddSingleton<IEmbeddingStore>(_ => new CachedEmbeddingStore(settings.Storage.CreateEmbeddingStore(), settings.Scoring.CacheCapacity));
builder.Services.AddSingleton(_ => settings.Storage.CreateInteractionLog());
builder.Services.AddSingleton(_ => settings.Storage.CreateWindowStore());
builder.Services.AddSingleton<ActiveModelProvider>();
builder.Services.AddHostedService<ActiveModelWatcher>();
builder.Services.AddSingleton<ModelGate>();
builder.Services.AddSingleton<UserStates>();
builder.Services.AddSingleton<RecommendationCache>();
builder.Services.AddSingleton<Scorer>();
builder.Services.AddSingleton<RefreshScheduler>();
builder.Services.AddSingleton<InteractionProcessor>();
builder.Services.AddSingleton<InteractionsFunction>();
builder.Services.AddSingleton<ScoringFunctions>();
builder.Services.AddSingleton<HealthFunctions>();
builder.Services.AddTimerFunction<GenerateServingModelFunction>();
// The training pipeline. Under the host the app sends to Storage queues the host triggers on;
// standalone on the folder backend it uses in-process channels, drained by PipelineTrigger.
builder.Services.AddTrainingPipeline(settings, name => settings.Storage.Backend == "folder" && !customHandler
    ? new ChannelMessageQueue()
    : new StorageMessageQueue(QueueClientFor(name), settings.Standalone.PollInterval));
if (!customHandler)
{
    var standalone = settings.Standalone;
    if (standalone.Trigger == "queue")
    {
        builder.Services.AddSingleton<IMessageQueue>(_ => new StorageMessageQueue(QueueClientFor(standalone.QueueName), standalone.PollInterval));
    }
    else
    {
        builder.Services.AddSingleton<IMessageQueue, ChannelMessageQueue>();
    }
    builder.Services.AddSingleton<IDeadLetterSink>(_ => settings.Storage.Backend == "folder"
        ? new FolderDeadLetterSink(settings.Storage.Folder, standalone.DeadLetterName)
        : new QueueDeadLetterSink(QueueClientFor(standalone.DeadLetterName)));
    builder.Services.AddHostedService<QueueTrigger>();
    builder.Services.AddHostedService<PipelineTrigger>();
    if (settings.Timers.Enabled)
    {
        builder.Services.AddHostedService<TimerTrigger>();
    }
}

// One queue-client factory. Standalone queues carry plain UTF-8 text (our own producer and
// consumer are the only parties); under the host the app writes base64, what the host's queue
// extension reads by default.
QueueClient QueueClientFor(string name) => new(settings.Storage.ConnectionString, name,
    new QueueClientOptions { MessageEncoding = customHandler ? QueueMessageEncoding.Base64 : QueueMessageEncoding.None });

var app = builder.Build();
app.UseExceptionHandler();
CustomHandlerEndpoints.Map(app);
if (!customHandler)
{
    if (settings.Auth.ApiKey.Length == 0)
    {
        app.Logger.LogWarning("MetaRec:Auth:ApiKey is empty: the /api routes are open to anyone who can reach this app");
    }
    app.UseMiddleware<ApiKeyMiddleware>();
    StandaloneEndpoints.Map(app);
}
await app.RunAsync();
return 0;

/// <summary>The app's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
