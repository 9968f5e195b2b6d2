namespace MetaRec.Functions.Http;

/// <summary>The paths the API key and the request limits guard: every <c>/api</c> route except health and readiness.</summary>
public static class GuardedPaths
{
    public static bool Contains(PathString path) =>
        path.StartsWithSegments("/api") && !path.StartsWithSegments("/api/health") && !path.StartsWithSegments("/api/ready");
}
