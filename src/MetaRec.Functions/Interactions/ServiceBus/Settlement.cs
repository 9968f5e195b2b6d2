namespace MetaRec.Functions.Interactions.ServiceBus;

public enum SettleAction
{
    /// <summary>Applied (or every event a duplicate): remove the message.</summary>
    Complete,

    /// <summary>Not applied for a reason outside the message: deliver it again; the entity's max delivery count ends the retries.</summary>
    Abandon,

    /// <summary>Poison: it can never be applied; move it to the dead-letter sub-queue with <see cref="Settlement.Reason"/> and <see cref="Settlement.Description"/>.</summary>
    DeadLetter,
}

/// <summary>
/// What to do with one delivered message, whatever the transport. <see cref="Reason"/> is a
/// short code (the dead-letter reason: <see cref="Reasons"/>), <see cref="Description"/> says
/// what happened in words (for a poison message: which field is wrong).
/// </summary>
public sealed record Settlement(SettleAction Action, string Reason, string Description)
{
    /// <summary>The dead-letter sub-queue's <c>DeadLetterErrorDescription</c> is kept short.</summary>
    public const int MaxDescriptionLength = 1024;

    public static Settlement Complete(string description) => new(SettleAction.Complete, Reasons.Applied, description);

    public static Settlement Abandon(string reason, string description) => new(SettleAction.Abandon, reason, Shorten(description));

    public static Settlement DeadLetter(string reason, string description) => new(SettleAction.DeadLetter, reason, Shorten(description));

    private static string Shorten(string text) => text.Length <= MaxDescriptionLength ? text : string.Concat(text.AsSpan(0, MaxDescriptionLength - 1), "…");

    /// <summary>The reason codes: dead-letter reasons a consumer of the dead-letter queue can filter on, and why a message was abandoned.</summary>
    public static class Reasons
    {
        public const string Applied = "Applied";

        /// <summary>Dead-letter: the body is not JSON.</summary>
        public const string InvalidJson = "InvalidJson";

        /// <summary>Dead-letter: JSON, but not interaction events (a field missing or invalid, an unknown schema).</summary>
        public const string InvalidEvent = "InvalidEvent";

        /// <summary>Dead-letter: the body is not UTF-8.</summary>
        public const string InvalidEncoding = "InvalidEncoding";

        /// <summary>Dead-letter: the body is larger than the limit; it is not read.</summary>
        public const string Oversized = "Oversized";

        /// <summary>Dead-letter: an event's user is not the message's session (sessions are keyed by user id).</summary>
        public const string SessionMismatch = "SessionMismatch";

        /// <summary>Abandon: a named transient failure (storage 5xx, 408, 429, timeouts, I/O).</summary>
        public const string Transient = "Transient";

        /// <summary>Abandon: an unexpected failure; retried until the max delivery count dead-letters it.</summary>
        public const string Failed = "Failed";

        /// <summary>Abandon: the processor stopped while the message was handled.</summary>
        public const string Stopping = "Stopping";
    }
}
