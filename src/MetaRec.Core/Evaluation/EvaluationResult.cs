namespace MetaRec.Core.Evaluation;

/// <summary>Metrics of a model on a set of user tasks' query sets (see <see cref="Evaluator.Evaluate"/>).</summary>
/// <param name="Auc">AUC pooled over every query example.</param>
/// <param name="Gauc">Mean per-user AUC over users with both classes.</param>
/// <param name="GaucUsers">Users counted in <paramref name="Gauc"/>.</param>
/// <param name="LogLoss">Mean log loss over every query example.</param>
/// <param name="NdcgAt10">Mean NDCG@k over users with a positive (k = <paramref name="K"/>, 10 by default).</param>
/// <param name="HrAt10">Mean hit rate @k over users with a positive.</param>
/// <param name="Mae">Mean absolute rating error, when ratings were predicted.</param>
/// <param name="Users">Tasks evaluated.</param>
/// <param name="Examples">Query examples evaluated.</param>
/// <param name="K">The cut-off of the ranking metrics.</param>
public sealed record EvaluationResult(
    double Auc,
    double Gauc,
    int GaucUsers,
    double LogLoss,
    double NdcgAt10,
    double HrAt10,
    double? Mae,
    int Users,
    int Examples,
    int K = 10)
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
