using Azure.Storage.Queues;
using MetaRec.Functions;
using MetaRec.Functions.Functions;
using MetaRec.Functions.Http;
using MetaRec.Functions.Interactions.ServiceBus;
using MetaRec.Functions.Standalone;
using MetaRec.Functions.Standalone.Durable;
using MetaRec.Functions.Training;
using Microsoft.Azure.Functions.Worker.Builder;

// The function app, on either host. Started by the Functions host (which sets
// FUNCTIONS_WORKER_RUNTIME) it is a dotnet-isolated worker: the host owns triggers, routes, keys,
// the Durable backend and the timers. Started any other way (`dotnet run`, a container, tests)
// it is the standalone host: the same functions on ASP.NET Core with its own routes, API key,
// queue trigger, timer trigger and the Durable Task Framework for training.
if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FUNCTIONS_WORKER_RUNTIME")))
{
    var functions = FunctionsApplication.CreateBuilder(args);
    functions.ConfigureFunctionsWebApplication();
    functions.UseMiddleware<RequestLimitsWorkerMiddleware>();
    FunctionAppOptions hosted;
    try
    {
        hosted = AppServices.ReadSettings(functions.Configuration);
        functions.Services.AddServiceBusInteractions(functions.Configuration); // validates its settings
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
    functions.Services.AddMetaRecServing(hosted, functions.Configuration);
    functions.Services.AddMetaRecTraining(hosted);
    // Events go to the Storage queue the Interactions function's trigger reads (base64, as the host expects).
    var queueName = functions.Configuration[InteractionsFunction.QueueSetting] ?? "interactions";
    functions.Services.AddSingleton<IMessageQueue>(_ => new StorageMessageQueue(HostQueue.Create(functions.Configuration, queueName), hosted.Standalone.PollInterval, hosted.Standalone.VisibilityTimeout));
    await functions.Build().RunAsync();
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // per-request lines only when asked for
builder.Logging.AddFilter("DurableTask", LogLevel.Warning);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:7071");
}
FunctionAppOptions settings;
try
{
    settings = AppServices.ReadSettings(builder.Configuration);
    builder.Services.AddServiceBusInteractions(builder.Configuration); // a processor only when a namespace is configured
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
builder.Services.AddMetaRecServing(settings, builder.Configuration);
builder.Services.AddMetaRecTraining(settings);
builder.Services.AddSingleton<FrameworkDurableBackend>();
builder.Services.AddSingleton<FrameworkTrainingRunClient>();
if (settings.Training.IsConfigured)
{
    builder.Services.AddHostedService(provider => provider.GetRequiredService<FrameworkDurableBackend>());
}
var standalone = settings.Standalone;
if (standalone.Trigger == "queue")
{
    builder.Services.AddSingleton<IMessageQueue>(_ => new StorageMessageQueue(QueueClientFor(standalone.QueueName), standalone.PollInterval, standalone.VisibilityTimeout));
}
else
{
    builder.Services.AddSingleton<IMessageQueue, ChannelMessageQueue>();
}
builder.Services.AddSingleton<IDeadLetterSink>(_ => settings.Storage.Backend == "folder"
    ? new FolderDeadLetterSink(settings.Storage.Folder, standalone.DeadLetterName)
    : new QueueDeadLetterSink(QueueClientFor(standalone.DeadLetterName)));
builder.Services.AddHostedService<InteractionsQueueTrigger>();
if (settings.Timers.Enabled)
{
    builder.Services.AddHostedService<TimerTrigger>();
}

// Standalone queues carry plain UTF-8 text: our own producer and consumer are the only parties.
QueueClient QueueClientFor(string name) => new(settings.Storage.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });

var app = builder.Build();
app.UseExceptionHandler();
if (settings.Auth.ApiKey.Length == 0)
{
    app.Logger.LogWarning("MetaRec:Auth:ApiKey is empty: the /api routes are open to anyone who can reach this app");
}
// Limits first, so a client guessing keys is throttled like any other.
app.UseMiddleware<RequestLimitsMiddleware>();
app.UseMiddleware<ApiKeyMiddleware>();
StandaloneRoutes.Map(app);
await app.RunAsync();
return 0;

/// <summary>The app's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
