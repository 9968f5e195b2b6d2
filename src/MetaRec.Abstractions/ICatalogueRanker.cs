namespace MetaRec.Abstractions;

/// <summary>
/// A model that ranks its whole catalogue for one user faster than <see cref="IRecModel.Score"/>
/// over every item followed by a selection. Serving uses it for recommendations when the active
/// model implements it; the ranking equals the one <see cref="IRecModel.Score"/> gives, up to
/// float rounding.
/// </summary>
public interface ICatalogueRanker
{
    /// <summary>
    /// The best <paramref name="depth"/> catalogue rows for the user, best first, ties broken by
    /// the lower row, leaving out <paramref name="excluded"/> rows; fewer when the catalogue
    /// holds fewer eligible items.
    /// </summary>
    /// <param name="userFields">The user's categorical fields.</param>
    /// <param name="state">The user's state; <c>null</c> ranks for a cold user.</param>
    /// <param name="depth">How many rows to return, at least 1.</param>
    /// <param name="excluded">Rows never returned, or <c>null</c>.</param>
    CatalogueRanking Rank(int[] userFields, UserState? state, int depth, IReadOnlySet<int>? excluded);
}

/// <summary>Catalogue rows, best first, with their click probabilities.</summary>
/// <param name="Rows">Item rows in the catalogue.</param>
/// <param name="Scores">Click probabilities in [0, 1], one per row.</param>
public sealed record CatalogueRanking(int[] Rows, float[] Scores);
