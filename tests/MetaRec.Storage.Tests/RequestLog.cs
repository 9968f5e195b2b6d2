using Azure.Core;
using Azure.Core.Pipeline;

namespace MetaRec.Storage.Tests;

/// <summary>Records every request an Azure client sends, as <c>METHOD path?comp</c>, to count round trips.</summary>
internal sealed class RequestLog : HttpPipelineSynchronousPolicy
{
    private readonly List<string> _requests = [];

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public void Clear()
    {
        lock (_requests)
        {
            _requests.Clear();
        }
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        var query = System.Web.HttpUtility.ParseQueryString(message.Request.Uri.Query);
        var request = $"{message.Request.Method} {message.Request.Uri.Path}" + (query["comp"] is { } comp ? "?" + comp : string.Empty);
        lock (_requests)
        {
            _requests.Add(request);
        }
    }
}
