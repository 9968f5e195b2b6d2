namespace MetaRec.Abstractions;

/// <summary>One labelled interaction of a user: an item index, a binary label and the raw rating.</summary>
public readonly record struct Example(int Item, float Label, float Rating);

/// <summary>
/// A user as a learning task: categorical user fields (one index per schema field), a support
/// set to adapt on and a query set to score (empty at serving time). Examples are in time order.
/// </summary>
public sealed record UserTask(string UserId, int[] UserFields, IReadOnlyList<Example> Support, IReadOnlyList<Example> Query);
