using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;

namespace MetaRec.Pipeline.Jobs;

/// <summary>An ARM answer: status, parsed body (null when empty) and the headers that matter (Location as sent, unchecked).</summary>
internal sealed record ArmResponse(HttpStatusCode Status, JsonNode? Body, Uri? Location, TimeSpan? RetryAfter);

/// <summary>
/// The HTTP side of the <c>aca</c> launcher: bearer token from a <see cref="TokenCredential"/>
/// (scope https://management.azure.com/.default, cached until five minutes before it expires),
/// JSON in and out, retries of 429 and 5xx with exponential backoff that honours Retry-After,
/// <c>nextLink</c> paging, and errors as <see cref="ArmRequestException"/>. Links from ARM
/// (nextLink, Location) are followed only on <see cref="ContainerAppsJobOptions.BaseUrl"/>'s
/// host, so the token never leaves for another one.
/// </summary>
internal sealed class ArmClient(HttpClient http, TokenCredential credential, ContainerAppsJobOptions options, TimeProvider time)
{
    public const string Scope = "https://management.azure.com/.default";

    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim _tokenGate = new(1, 1);
    private AccessToken? _token;

    /// <summary>Sends one request; 429 (and 5xx when <paramref name="retryServerErrors"/>) are retried, other failures throw.</summary>
    public async Task<ArmResponse> SendAsync(string operation, HttpMethod method, Uri uri, JsonNode? body, bool retryServerErrors, CancellationToken cancellation)
    {
        for (var retry = 0; ; retry++)
        {
            try
            {
                return await SendOnceAsync(operation, method, uri, body, cancellation).ConfigureAwait(false);
            }
            catch (ArmRequestException e) when (e.IsTransient && (retryServerErrors || e.StatusCode == HttpStatusCode.TooManyRequests)
                                                && WaitBeforeRetry(e, retry) is { } wait)
            {
                await Task.Delay(wait, time, cancellation).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (from 0) after <paramref name="error"/>,
    /// or null when no retry is left or ARM asks for a longer wait than MaxRetryDelay.
    /// </summary>
    public TimeSpan? WaitBeforeRetry(ArmRequestException error, int retry)
    {
        if (!error.IsTransient || retry >= options.MaxRetries)
        {
            return null;
        }
        if (error.RetryAfter is { } asked)
        {
            return asked <= options.MaxRetryDelay ? asked : null;
        }
        var backoff = options.RetryDelay * Math.Pow(2, retry);
        return backoff < options.MaxRetryDelay ? backoff : options.MaxRetryDelay;
    }

    /// <summary>Every item of a list and the pages its <c>nextLink</c>s lead to.</summary>
    public async IAsyncEnumerable<JsonNode> ListAsync(string operation, Uri first, [EnumeratorCancellation] CancellationToken cancellation)
    {
        for (Uri? page = first; page is not null;)
        {
            var response = await SendAsync(operation, HttpMethod.Get, page, null, retryServerErrors: true, cancellation).ConfigureAwait(false);
            if (response.Body?["value"] is not JsonArray items)
            {
                throw new InvalidOperationException($"aca {operation}: ARM's list answer has no 'value' array");
            }
            foreach (var item in items)
            {
                if (item is not null)
                {
                    yield return item;
                }
            }
            page = response.Body["nextLink"]?.GetValue<string>() is { Length: > 0 } next ? Follow(operation, next) : null;
        }
    }

    /// <summary>A link from ARM (nextLink, Location) as a URI on the configured host; anything else throws.</summary>
    public Uri Follow(string operation, string link)
    {
        if (!Uri.TryCreate(link, UriKind.Absolute, out var uri)
            || Uri.Compare(uri, options.BaseUrl, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new InvalidOperationException($"aca {operation}: ARM sent the link '{link}', which is not on {options.BaseUrl}; not following it with the token");
        }
        return uri;
    }

    private async Task<ArmResponse> SendOnceAsync(string operation, HttpMethod method, Uri uri, JsonNode? body, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(cancellation).ConfigureAwait(false));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request, cancellation).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
        var retryAfter = RetryAfter(response.Headers.RetryAfter);
        if (!response.IsSuccessStatusCode)
        {
            throw ArmRequestException.FromBody(operation, response.StatusCode, text, retryAfter);
        }
        JsonNode? parsed;
        try
        {
            parsed = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidOperationException($"aca {operation}: ARM answered {(int)response.StatusCode} with a body that is not JSON", e);
        }
        var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l : new Uri(uri, l)) : null;
        return new ArmResponse(response.StatusCode, parsed, location, retryAfter);
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private async Task<string> TokenAsync(CancellationToken cancellation)
    {
        await _tokenGate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (_token is not { } token || token.ExpiresOn - RefreshMargin <= time.GetUtcNow())
            {
                token = await credential.GetTokenAsync(new TokenRequestContext([Scope]), cancellation).ConfigureAwait(false);
                _token = token;
            }
            return token.Token;
        }
        finally
        {
            _tokenGate.Release();
        }
    }
}
