using System.Security.Cryptography;
using System.Text;

namespace MetaRec.Storage.Interactions;

/// <summary>
/// A user's data deletion as the interaction log records it: the SHA-256 of the user id (the
/// tombstone does not keep the id it erases) and when. Training data built afterwards leaves out
/// every logged event of that user stamped at or before <see cref="DeletedUtc"/> (whole unix
/// seconds), and the user's rows of a base dataset; events stamped later are a new relationship
/// and are kept.
/// </summary>
/// <param name="UserHash">Lower-case hex SHA-256 of the UTF-8 user id (<see cref="HashOf"/>).</param>
/// <param name="DeletedUtc">When the deletion was recorded.</param>
public sealed record UserTombstone(string UserHash, DateTimeOffset DeletedUtc)
{
    /// <summary>Lower-case hex SHA-256 of the UTF-8 user id: how tombstones and audit lines name a user.</summary>
    public static string HashOf(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId)));
    }
}

/// <summary>The tombstones of a log, the latest per user: which events training data must leave out.</summary>
public sealed class UserTombstones
{
    private readonly Dictionary<string, long> _deleted = new(StringComparer.Ordinal);

    public UserTombstones(IEnumerable<UserTombstone> tombstones)
    {
        ArgumentNullException.ThrowIfNull(tombstones);
        foreach (var t in tombstones)
        {
            var seconds = t.DeletedUtc.ToUnixTimeSeconds();
            if (!_deleted.TryGetValue(t.UserHash, out var known) || seconds > known)
            {
                _deleted[t.UserHash] = seconds;
            }
        }
    }

    /// <summary>How many users have a tombstone.</summary>
    public int Count => _deleted.Count;

    /// <summary>
    /// The unix second of the user's latest deletion, or null when the user's data was never
    /// deleted: events stamped at or before it are erased.
    /// </summary>
    public long? DeletedAt(string userId) => _deleted.Count > 0 && _deleted.TryGetValue(UserTombstone.HashOf(userId), out var seconds) ? seconds : null;
}
