using System.Text;
using Bot.Core.Domain;
using Bot.Core.Results;

namespace Bot.Core.Engine;

/// <summary>Validation and de-duplication of proposed actions, shared by model and human proposals.</summary>
public static class CandidateRules
{
    public static Result Validate(NewCandidate candidate)
    {
        if (string.IsNullOrWhiteSpace(candidate.Text))
            return EngineErrors.EmptyCandidate();
        var bytes = Encoding.UTF8.GetByteCount(candidate.Text);
        if (bytes > Limits.MaxCandidateBytes)
            return EngineErrors.CandidateTooLong(bytes);
        return Result.Ok();
    }

    /// <summary>Two proposals are the same action when kind and trimmed text match exactly.</summary>
    public static Candidate? FindSame(StepState step, NewCandidate candidate)
    {
        var text = candidate.Text.Trim();
        return step.Candidates.FirstOrDefault(c => c.Kind == candidate.Kind && string.Equals(c.Text.Trim(), text, StringComparison.Ordinal));
    }

    /// <summary>
    /// Adds <paramref name="proposal"/> to the step, or merges it into an identical candidate.
    /// Returns the candidate number it ended up as. The caller has validated the text.
    /// </summary>
    internal static Results.Result<int> AddOrMerge(Transition t, NewCandidate proposal, DateTimeOffset now)
    {
        var step = t.Step;
        if (FindSame(step, proposal) is { } same)
        {
            t.Emit(new CandidateMerged(step.Number, same.Number, proposal.Author, proposal.Source));
            return same.Number;
        }
        if (step.Candidates.Count >= Limits.MaxCandidatesPerStep)
            return EngineErrors.TooManyCandidates(step.Number);

        var candidate = new Candidate(step.NextCandidateNumber, proposal.Kind, proposal.Text.Trim(), proposal.Rationale,
            proposal.Source, proposal.Author, now);
        t.UpdateStep(s => s with { Candidates = [.. s.Candidates, candidate] });
        t.Emit(new CandidateAdded(step.Number, candidate));
        t.Render();
        return candidate.Number;
    }
}
