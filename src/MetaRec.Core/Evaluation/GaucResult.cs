namespace MetaRec.Core.Evaluation;

/// <summary>Group AUC and how many users it averages (those with both classes).</summary>
public readonly record struct GaucResult(double Value, int Users);
