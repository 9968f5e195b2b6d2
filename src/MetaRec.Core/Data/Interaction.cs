namespace MetaRec.Core.Data;

/// <summary>
/// One rating event with encoded indices: <see cref="User"/> in <c>[0, UserCount)</c>,
/// <see cref="Item"/> in <c>[0, ItemCount)</c>, the raw rating (or a 0/1 label for label-only
/// data) and the source's timestamp (unix seconds for MovieLens; row order when a generic file
/// has none).
/// </summary>
public readonly record struct Interaction(int User, int Item, float Rating, long Timestamp);
