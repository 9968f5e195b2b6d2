using MetaRec.Functions.Serving;
using Microsoft.Azure.Functions.Worker;

namespace MetaRec.Functions.Functions;

/// <summary>
/// <c>DeleteUser</c> (<c>DELETE /api/users/{userId}</c>): deletes the user's data
/// (<see cref="UserDeletion"/>) and answers 204, the same for a user deleted before or never
/// seen; a bad id answers 400 ProblemDetails with <c>field</c> <c>userId</c>.
/// </summary>
public sealed class UsersFunction(UserDeletion deletion)
{
    public async Task<FunctionResponse> DeleteAsync(string? userId, CancellationToken cancellation)
    {
        try
        {
            await deletion.DeleteAsync(userId ?? string.Empty, cancellation).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return FunctionResponse.Problem(400, "Bad request", e.Message, new Dictionary<string, object?> { ["field"] = "userId" });
        }
        return FunctionResponse.NoContent();
    }

    [Function("DeleteUser")]
    public async Task<IResult> DeleteUser([HttpTrigger(AuthorizationLevel.Function, "delete", Route = "users/{userId}")] HttpRequest request, string userId, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await DeleteAsync(userId, cancellation).ConfigureAwait(false)).ToResult();
    }
}
