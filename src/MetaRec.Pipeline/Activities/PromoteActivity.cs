using MetaRec.Pipeline.Orchestration;
using MetaRec.Storage.Registry;
using Microsoft.DurableTask;

namespace MetaRec.Pipeline.Activities;

/// <summary>
/// Promote: moves the active pointer to the candidate through the registry's compare-and-swap,
/// from the incumbent the gate judged against. Idempotent: when the candidate is already active
/// (a replay after the pointer moved) it reports promoted without writing. When the active
/// model moved since the gate, nothing is written and the orchestrator judges again.
/// </summary>
public sealed class PromoteActivity(IModelRegistry registry) : TaskActivity<PromoteInput, PromoteResult>
{
    public override async Task<PromoteResult> RunAsync(TaskActivityContext context, PromoteInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var active = await registry.GetActiveAsync(input.Family).ConfigureAwait(false);
        if (active?.Version == input.Version)
        {
            return new PromoteResult(true, false, $"{input.Family}/{input.Version} is active");
        }
        if (active?.Version != input.Incumbent)
        {
            return new PromoteResult(false, true, $"active model changed to {active?.Version ?? "none"} since the gate; evaluating again");
        }
        try
        {
            await registry.PromoteAsync(input.Family, input.Version, active?.ETag).ConfigureAwait(false);
        }
        catch (RegistryConflictException)
        {
            return new PromoteResult(false, true, "the active pointer moved during promotion; evaluating again");
        }
        return new PromoteResult(true, false, $"promoted {input.Family}/{input.Version} (was {active?.Version ?? "none"})");
    }
}
