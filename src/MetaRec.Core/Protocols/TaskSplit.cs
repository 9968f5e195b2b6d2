using MetaRec.Abstractions;
using MetaRec.Core.Data;

namespace MetaRec.Core.Protocols;

/// <summary>
/// A dataset cut into user tasks by a protocol (<see cref="ColdStartProtocol"/> or
/// <see cref="WarmProtocol"/>).
/// </summary>
/// <param name="Catalogue">The dataset's catalogue: schema and item features.</param>
/// <param name="Train">Tasks to (meta-)train on.</param>
/// <param name="Validation">Tasks for model selection.</param>
/// <param name="Test">Tasks to report.</param>
/// <param name="QualifyingUsers">Users whose interaction count met the protocol's bounds.</param>
/// <param name="Protocol"><see cref="ColdStartProtocol.Name"/> or <see cref="WarmProtocol.Name"/>.</param>
/// <param name="PooledTraining">
/// Every interaction a non-meta baseline may train on, in time order per user: all interactions of
/// the training users (for the warm protocol also the support interactions of validation and test users).
/// </param>
public sealed record TaskSplit(
    Catalogue Catalogue,
    IReadOnlyList<UserTask> Train,
    IReadOnlyList<UserTask> Validation,
    IReadOnlyList<UserTask> Test,
    int QualifyingUsers,
    string Protocol,
    IReadOnlyList<Interaction> PooledTraining);
