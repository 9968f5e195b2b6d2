namespace MetaRec.Core.Evaluation;

/// <summary>
/// One test user's result under a model: the query predictions and the per-user metrics that
/// paired comparisons between models read (<see cref="PairedComparison"/>).
/// </summary>
/// <param name="UserId">The user.</param>
/// <param name="SupportSize">Support interactions the model adapted on.</param>
/// <param name="Scores">Click probabilities of the query items, in query order.</param>
/// <param name="Labels">The query items' 0/1 labels.</param>
/// <param name="Ratings">The query items' raw ratings (labels for a label-only dataset).</param>
/// <param name="Auc">AUC over the user's query; NaN when the query holds one class only.</param>
/// <param name="NdcgAt3">NDCG@3 of the query items ranked by score, the true rating as gain (MeLU's measure).</param>
/// <param name="NdcgAt5">The same at 5.</param>
/// <param name="CatalogueHitAt10">
/// Whether a query positive is in the top 10 of the whole catalogue, the user's other
/// interactions (support items and query negatives) masked; NaN without a positive or when not computed.
/// </param>
/// <param name="CatalogueNdcgAt10">NDCG@10 of the same ranking, binary gains; NaN likewise.</param>
/// <param name="PredictedRatings">Predicted ratings of the query items, for families that regress ratings; else null.</param>
public sealed record UserOutcome(
    string UserId,
    int SupportSize,
    float[] Scores,
    float[] Labels,
    float[] Ratings,
    double Auc,
    double NdcgAt3,
    double NdcgAt5,
    double CatalogueHitAt10,
    double CatalogueNdcgAt10,
    float[]? PredictedRatings = null)
{
    /// <summary>The per-user metric named <paramref name="name"/>: auc, ndcg@3, ndcg@5, catalogue-hr@10 or catalogue-ndcg@10.</summary>
    /// <exception cref="ArgumentException">Any other name.</exception>
    public double Metric(string name) => name switch
    {
        "auc" or "gauc" => Auc,
        "ndcg@3" => NdcgAt3,
        "ndcg@5" => NdcgAt5,
        "catalogue-hr@10" => CatalogueHitAt10,
        "catalogue-ndcg@10" => CatalogueNdcgAt10,
        _ => throw new ArgumentException($"per-user metric must be auc, ndcg@3, ndcg@5, catalogue-hr@10 or catalogue-ndcg@10, not '{name}'", nameof(name)),
    };
}
