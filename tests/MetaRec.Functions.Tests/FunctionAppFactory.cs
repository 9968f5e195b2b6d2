using MetaRec.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace MetaRec.Functions.Tests;

/// <summary>
/// The real app (Program) in a test server, with settings given here instead of appsettings,
/// and services a test adds (a timer function, a fake clock) after the app's own.
/// </summary>
public sealed class FunctionAppFactory(IReadOnlyDictionary<string, string> settings, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key-0123456789";

    /// <summary>
    /// The app against Azurite: registry, windows and log in Blob, states in Table, the standalone
    /// trigger on a Storage queue; <paramref name="settings"/> added or overriding.
    /// </summary>
    public static FunctionAppFactory Azurite(string connectionString, string container, string trigger = "queue", IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>
        {
            ["MetaRec:Family"] = "limaml",
            ["MetaRec:Storage:Backend"] = "azure",
            ["MetaRec:Storage:ConnectionString"] = connectionString,
            ["MetaRec:Storage:Container"] = container,
            ["MetaRec:Storage:Table"] = Storage(connectionString, container).Table,
            ["MetaRec:Standalone:Trigger"] = trigger,
            ["MetaRec:Standalone:QueueName"] = container + "-in",
            ["MetaRec:Standalone:DeadLetterName"] = container + "-dead",
            ["MetaRec:Standalone:PollInterval"] = "00:00:00.050",
            ["MetaRec:Interactions:RefreshInterval"] = "00:00:00",
            ["MetaRec:ModelPollInterval"] = "00:00:00.200",
            ["MetaRec:Auth:ApiKey"] = ApiKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }
        return new FunctionAppFactory(all);
    }

    /// <summary>The app on the embedded default: folder storage in <paramref name="folder"/>, the in-process channel trigger.</summary>
    public static FunctionAppFactory Folder(string folder, IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string>
        {
            ["MetaRec:Storage:Backend"] = "folder",
            ["MetaRec:Storage:Folder"] = folder,
            ["MetaRec:Standalone:Trigger"] = "channel",
            ["MetaRec:Auth:ApiKey"] = ApiKey,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }
        return new FunctionAppFactory(all, services);
    }

    /// <summary>The storage an app from <see cref="Azurite"/> uses, for a test to read and write beside it.</summary>
    public static StorageOptions Storage(string connectionString, string container) => new()
    {
        Backend = "azure",
        ConnectionString = connectionString,
        Container = container,
        Table = "states" + container.Replace("-", string.Empty, StringComparison.Ordinal),
    };

    public HttpClient Authorized()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("x-api-key", ApiKey);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }
}
