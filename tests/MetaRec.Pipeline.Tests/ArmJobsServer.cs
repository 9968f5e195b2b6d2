using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MetaRec.Pipeline.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MetaRec.Pipeline.Tests;

/// <summary>
/// A real HTTP server on 127.0.0.1 that answers the Microsoft.App job operations the way the ARM
/// REST reference documents them (start → JobExecutionBase, or 202 + Location; executions list
/// with nextLink; execution with properties.status and template; stop) and refuses anything
/// else with 400 and ARM's error body: a wrong path, api-version, bearer token or body shape
/// fails the test. Every refusal is recorded in <see cref="Rejections"/>.
/// </summary>
internal sealed class ArmJobsServer : IAsyncDisposable
{
    public const string Token = "test-arm-token";
    public const string Subscription = "3f2b6a52-8d1e-4c57-9c1a-0b6b8f1e2d4c";
    public const string ResourceGroup = "rg-metarec";
    public const string Job = "metarec-train";
    public const string Container = "trainer";
    public const string Image = "metarecacr.azurecr.io/metarec-train:cuda-2";
    public const string TemplateImage = "metarecacr.azurecr.io/metarec-train:cuda-1";

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<ArmJobExecution> _executions = [];
    private readonly Dictionary<string, (ArmJobExecution Execution, int PollsLeft)> _operations = [];
    private readonly List<Fault> _faults = [];
    private int _created;

    private ArmJobsServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>"METHOD path?query" of every request, in order.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Why each refused request was refused.</summary>
    public List<string> Rejections { get; } = [];

    /// <summary>The last start body the server took.</summary>
    public JsonNode? LastStartBody { get; private set; }

    /// <summary>Executions listed per page.</summary>
    public int PageSize { get; set; } = 2;

    /// <summary>Reads of a new execution that report Running before it reports Succeeded.</summary>
    public int RunningReads { get; set; } = 2;

    /// <summary>Answer starts 202 with a Location polled this many times before it names the execution.</summary>
    public int? AcceptStarts { get; set; }

    /// <summary>Where nextLinks point; default <see cref="BaseUrl"/>.</summary>
    public Uri? NextLinkBase { get; set; }

    /// <summary>Create the execution, then answer the next start(s) 500 anyway.</summary>
    public int FailStartsAfterCreating { get; set; }

    public static async Task<ArmJobsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var server = new ArmJobsServer(builder.Build());
        server.Map();
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public ContainerAppsJobOptions Options(string job = Job) => new()
    {
        SubscriptionId = Subscription,
        ResourceGroup = ResourceGroup,
        JobName = job,
        ContainerName = Container,
        Image = Image,
        BaseUrl = BaseUrl,
        RetryDelay = TimeSpan.FromMilliseconds(50),
        PollInterval = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>Adds an execution of some earlier attempt (or of none), already finished.</summary>
    public void Seed(string name, string status, string? attempt)
    {
        var env = new JsonArray { new JsonObject { ["name"] = "STATIC", ["value"] = "1" } };
        if (attempt is not null)
        {
            env.Add(new JsonObject { ["name"] = JobSpec.AttemptVariable, ["value"] = attempt });
        }
        var template = new JsonObject { ["containers"] = new JsonArray { new JsonObject { ["name"] = Container, ["image"] = TemplateImage, ["env"] = env } } };
        lock (_gate)
        {
            _executions.Add(new ArmJobExecution(name, template, DateTimeOffset.UtcNow.AddHours(-_executions.Count - 1)) { Status = status, ReadsLeft = 0 });
        }
    }

    /// <summary>The next <paramref name="times"/> requests ending in <paramref name="pathEnd"/> get this ARM error.</summary>
    public void Fail(string method, string pathEnd, HttpStatusCode status, string code, string message, int? retryAfterSeconds = null, int times = 1)
    {
        lock (_gate)
        {
            _faults.Add(new Fault(method, pathEnd, status, code, message, retryAfterSeconds, times));
        }
    }

    /// <summary>Executions whose template carries the attempt's marker.</summary>
    public int ExecutionsOf(string attempt)
    {
        lock (_gate)
        {
            return _executions.Count(e => ArmJobsShapes.AttemptOf(e.Template) == attempt);
        }
    }

    private string JobPath(string job = Job) => $"/subscriptions/{Subscription}/resourceGroups/{ResourceGroup}/providers/Microsoft.App/jobs/{job}";

    private void Map()
    {
        _app.Use(async (context, next) =>
        {
            var request = context.Request;
            lock (_gate)
            {
                Requests.Add($"{request.Method} {request.Path}{request.QueryString}");
            }
            var problem = request.Headers.Authorization.ToString() != $"Bearer {Token}" ? $"Authorization is '{request.Headers.Authorization}'"
                : request.Query["api-version"] != ContainerAppsJobOptions.DefaultApiVersion ? $"api-version is '{request.Query["api-version"]}'"
                : !request.Path.StartsWithSegments($"/subscriptions/{Subscription}") ? $"path {request.Path} is not under the subscription"
                : null;
            if (problem is not null)
            {
                await RejectAsync(context, problem);
                return;
            }
            if (TakeFault(request.Method, request.Path.Value!) is { } fault)
            {
                if (fault.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                }
                await ErrorAsync(context, fault.Status, fault.Code, fault.Message);
                return;
            }
            await next(context);
        });

        var jobs = $"/subscriptions/{Subscription}/resourceGroups/{ResourceGroup}/providers/Microsoft.App/jobs";
        _app.MapGet(jobs + "/{job}", (HttpContext context, string job) => job == Job
            ? JsonAsync(context, HttpStatusCode.OK, ArmJobsShapes.JobResource(JobPath()))
            : NotFoundAsync(context, $"Microsoft.App/jobs/{job}"));
        _app.MapPost(jobs + "/{job}/start", AnswerStartAsync);
        _app.MapGet($"/subscriptions/{Subscription}/providers/Microsoft.App/locations/westeurope/containerappOperationResults/{{operation}}", AnswerOperationAsync);
        _app.MapGet(jobs + "/{job}/executions", AnswerListAsync);
        _app.MapGet(jobs + "/{job}/executions/{name}", AnswerGetAsync);
        _app.MapPost(jobs + "/{job}/executions/{name}/stop", AnswerStopAsync);
        _app.MapFallback(context => RejectAsync(context, $"no such operation: {context.Request.Method} {context.Request.Path}"));
    }

    private async Task AnswerStartAsync(HttpContext context, string job)
    {
        if (job != Job)
        {
            await NotFoundAsync(context, $"Microsoft.App/jobs/{job}");
            return;
        }
        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            await RejectAsync(context, $"Content-Type is '{context.Request.ContentType}'");
            return;
        }
        var body = await JsonNode.ParseAsync(context.Request.Body);
        if (ArmJobsShapes.StartBodyProblem(body) is { } problem)
        {
            await RejectAsync(context, problem);
            return;
        }
        ArmJobExecution execution;
        bool fail;
        lock (_gate)
        {
            LastStartBody = body;
            execution = new ArmJobExecution($"{Job}-{++_created:x7}", body!.DeepClone(), DateTimeOffset.UtcNow) { Status = "Running", ReadsLeft = RunningReads };
            _executions.Add(execution);
            fail = FailStartsAfterCreating > 0;
            if (fail)
            {
                FailStartsAfterCreating--;
            }
        }
        if (fail)
        {
            await ErrorAsync(context, HttpStatusCode.InternalServerError, "InternalServerError", "An unexpected error occurred while processing the request.");
            return;
        }
        if (AcceptStarts is { } polls)
        {
            var operation = Guid.NewGuid().ToString();
            lock (_gate)
            {
                _operations[operation] = (execution, polls);
            }
            context.Response.StatusCode = (int)HttpStatusCode.Accepted;
            context.Response.Headers.Location = new Uri(BaseUrl,
                $"subscriptions/{Subscription}/providers/Microsoft.App/locations/westeurope/containerappOperationResults/{operation}?api-version={ContainerAppsJobOptions.DefaultApiVersion}").AbsoluteUri;
            return;
        }
        await JsonAsync(context, HttpStatusCode.OK, ArmJobsShapes.ExecutionBase(JobPath(), execution));
    }

    private async Task AnswerOperationAsync(HttpContext context, string operation)
    {
        ArmJobExecution? done = null;
        lock (_gate)
        {
            if (_operations.TryGetValue(operation, out var pending))
            {
                if (pending.PollsLeft > 0)
                {
                    _operations[operation] = (pending.Execution, pending.PollsLeft - 1);
                }
                else
                {
                    done = pending.Execution;
                }
            }
            else
            {
                done = null;
                operation = string.Empty;
            }
        }
        if (operation.Length == 0)
        {
            await NotFoundAsync(context, "operation");
        }
        else if (done is null)
        {
            context.Response.StatusCode = (int)HttpStatusCode.Accepted;
            context.Response.Headers.Location = context.Request.Path + context.Request.QueryString.Value;
        }
        else
        {
            await JsonAsync(context, HttpStatusCode.OK, ArmJobsShapes.ExecutionBase(JobPath(), done));
        }
    }

    private Task AnswerListAsync(HttpContext context, string job)
    {
        var skip = int.TryParse(context.Request.Query["$skiptoken"], CultureInfo.InvariantCulture, out var s) ? s : 0;
        JsonArray page;
        bool more;
        lock (_gate)
        {
            // Oldest first, so the execution just started is on the last page.
            var oldestFirst = _executions.OrderBy(e => e.Started).ToList();
            page = new JsonArray([.. oldestFirst.Skip(skip).Take(PageSize).Select(e => (JsonNode?)ArmJobsShapes.ExecutionResource(JobPath(job), e))]);
            more = skip + PageSize < oldestFirst.Count;
        }
        var answer = new JsonObject
        {
            ["value"] = page,
            ["nextLink"] = more ? new Uri(NextLinkBase ?? BaseUrl, $"{JobPath(job)[1..]}/executions?api-version={ContainerAppsJobOptions.DefaultApiVersion}&$skiptoken={skip + PageSize}").AbsoluteUri : null,
        };
        return JsonAsync(context, HttpStatusCode.OK, answer);
    }

    private Task AnswerGetAsync(HttpContext context, string job, string name)
    {
        JsonNode? resource = null;
        lock (_gate)
        {
            if (_executions.SingleOrDefault(e => e.Name == name) is { } execution)
            {
                if (execution.Status == "Running" && execution.ReadsLeft-- <= 0)
                {
                    (execution.Status, execution.Ended) = ("Succeeded", DateTimeOffset.UtcNow);
                }
                resource = ArmJobsShapes.ExecutionResource(JobPath(job), execution);
            }
        }
        return resource is null ? NotFoundAsync(context, $"Microsoft.App/jobs/{job}/executions/{name}") : JsonAsync(context, HttpStatusCode.OK, resource);
    }

    private async Task AnswerStopAsync(HttpContext context, string job, string name)
    {
        if (context.Request.ContentLength > 0)
        {
            await RejectAsync(context, "stop takes no body");
            return;
        }
        string? finished = null;
        bool found;
        lock (_gate)
        {
            var execution = _executions.SingleOrDefault(e => e.Name == name);
            found = execution is not null;
            if (execution is { Status: "Running" })
            {
                (execution.Status, execution.Ended) = ("Stopped", DateTimeOffset.UtcNow);
            }
            else
            {
                finished = execution?.Status;
            }
        }
        if (!found)
        {
            await NotFoundAsync(context, $"Microsoft.App/jobs/{job}/executions/{name}");
        }
        else if (finished is not null)
        {
            // What ARM answers for an ended execution is not documented; this stand-in refuses it.
            await ErrorAsync(context, HttpStatusCode.BadRequest, "BadRequest", $"Job execution '{name}' has already completed with status {finished}.");
        }
        else
        {
            context.Response.StatusCode = (int)HttpStatusCode.Accepted;
            context.Response.Headers.Location = new Uri(BaseUrl,
                $"subscriptions/{Subscription}/providers/Microsoft.App/locations/westeurope/containerappOperationResults/{Guid.NewGuid()}?api-version={ContainerAppsJobOptions.DefaultApiVersion}").AbsoluteUri;
        }
    }

    private Fault? TakeFault(string method, string path)
    {
        lock (_gate)
        {
            var fault = _faults.FirstOrDefault(f => f.Method == method && path.EndsWith(f.PathEnd, StringComparison.Ordinal) && f.Times > 0);
            if (fault is not null)
            {
                fault.Times--;
            }
            return fault;
        }
    }

    private Task RejectAsync(HttpContext context, string problem)
    {
        lock (_gate)
        {
            Rejections.Add(problem);
        }
        return ErrorAsync(context, HttpStatusCode.BadRequest, "InvalidRequestContent", problem);
    }

    private static Task NotFoundAsync(HttpContext context, string what) =>
        ErrorAsync(context, HttpStatusCode.NotFound, "ResourceNotFound", $"The Resource '{what}' under resource group '{ResourceGroup}' was not found.");

    private static Task ErrorAsync(HttpContext context, HttpStatusCode status, string code, string message) =>
        JsonAsync(context, status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    private static Task JsonAsync(HttpContext context, HttpStatusCode status, JsonNode body)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private sealed class Fault(string method, string pathEnd, HttpStatusCode status, string code, string message, int? retryAfterSeconds, int times)
    {
        public string Method { get; } = method;

        public string PathEnd { get; } = pathEnd;

        public HttpStatusCode Status { get; } = status;

        public string Code { get; } = code;

        public string Message { get; } = message;

        public int? RetryAfterSeconds { get; } = retryAfterSeconds;

        public int Times { get; set; } = times;
    }
}
