namespace Bot.Core.Domain;

/// <summary>Limits the engine enforces on input, shared by every adapter so errors read the same.</summary>
public static class Limits
{
    /// <summary>Candidate action text, in UTF-8 bytes.</summary>
    public const int MaxCandidateBytes = 16 * 1024;
    public const int MaxCandidatesPerStep = 25;
    public const int MaxModelCandidates = 8;
    public const int MinRating = -2;
    public const int MaxRating = 2;
}

/// <summary>An action proposed for a step, before it has a number.</summary>
public sealed record NewCandidate(
    CandidateKind Kind,
    string Text,
    string? Rationale,
    CandidateSource Source,
    ActorId Author);

/// <summary>
/// An action proposed for a step. <paramref name="Number"/> is 1-based within the step and is the
/// candidate's identity there (buttons say "1", "2", ...); numbers are never reused.
/// </summary>
public sealed record Candidate(
    int Number,
    CandidateKind Kind,
    string Text,
    string? Rationale,
    CandidateSource Source,
    ActorId Author,
    DateTimeOffset ProposedAt);

/// <summary>A voter's current vote on a step. One per voter; a new vote replaces the old.</summary>
public sealed record Vote(ActorId Voter, int CandidateNumber, DateTimeOffset CastAt);

/// <summary>The model judge's score for one candidate (0-10) with a one-line reason.</summary>
public sealed record JudgeScore(int CandidateNumber, int Score, string Reason);

/// <summary>The model judge's view of a step; <see cref="Pick"/> is the best-scored candidate.</summary>
public sealed record JudgeVerdict(IReadOnlyList<JudgeScore> Scores, string Model)
{
    public int? Pick => Scores.Count == 0 ? null : Scores.OrderByDescending(s => s.Score).ThenBy(s => s.CandidateNumber).First().CandidateNumber;
}

/// <summary>How and by whom a step was decided.</summary>
public sealed record Decision(int CandidateNumber, DecisionMethod Method, ActorId DecidedBy, DateTimeOffset DecidedAt);

/// <summary>The result of executing a decision (a shell command, a sub-run's answer, or a submission).</summary>
public sealed record Observation(
    string Text,
    int? ExitCode = null,
    TimeSpan? Duration = null,
    bool Truncated = false);
