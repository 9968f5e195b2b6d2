namespace MetaRec.Core.Evaluation;

/// <summary>Metrics of a model on a set of user tasks' query sets (see <see cref="Evaluator.Summarize"/>).</summary>
/// <param name="Auc">AUC pooled over every query example.</param>
/// <param name="Gauc">Mean per-user AUC over users with both classes.</param>
/// <param name="GaucUsers">Users counted in <paramref name="Gauc"/>.</param>
/// <param name="LogLoss">Mean log loss over every query example.</param>
/// <param name="NdcgAt3">Mean NDCG@3 of the query items ranked by score, true rating as gain.</param>
/// <param name="NdcgAt5">The same at 5.</param>
/// <param name="CatalogueHrAt10">
/// Mean full-catalogue hit rate @10 of the query positives, other interactions masked, over users
/// with a positive; NaN when the catalogue was not ranked.
/// </param>
/// <param name="CatalogueNdcgAt10">Mean full-catalogue NDCG@10 over the same users; NaN likewise.</param>
/// <param name="Mae">Mean absolute rating error, when ratings were predicted.</param>
/// <param name="Rmse">Root mean squared rating error, when ratings were predicted.</param>
/// <param name="Users">Tasks evaluated.</param>
/// <param name="Examples">Query examples evaluated.</param>
public sealed record EvaluationResult(
    double Auc,
    double Gauc,
    int GaucUsers,
    double LogLoss,
    double NdcgAt3,
    double NdcgAt5,
    double CatalogueHrAt10,
    double CatalogueNdcgAt10,
    double? Mae,
    double? Rmse,
    int Users,
    int Examples)
{
    /// <summary>The metric model selection and quality gates name: auc, gauc or logloss.</summary>
    /// <exception cref="ArgumentException">Any other name.</exception>
    public double Metric(string name) => name switch
    {
        "auc" => Auc,
        "gauc" => Gauc,
        "logloss" => LogLoss,
        _ => throw new ArgumentException($"metric must be auc, gauc or logloss, not '{name}'", nameof(name)),
    };
}
