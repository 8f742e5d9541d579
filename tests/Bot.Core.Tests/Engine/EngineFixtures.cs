using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Results;

namespace Bot.Core.Tests.Engine;

/// <summary>Builders for run states and commands, so each test states only what it is about.</summary>
internal static class EngineFixtures
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly RunId Run = new(42);
    public static readonly ActorId Alice = ActorId.Discord(1);
    public static readonly ActorId Bob = ActorId.Discord(2);
    public static readonly ActorId Carol = ActorId.Discord(3);
    public static readonly ActorId Dave = ActorId.Discord(4);
    public static readonly ActorId Researcher = ActorId.Discord(99);
    public static readonly ActorId ModelActor = ActorId.Model("test-model");

    public static RunSettings Settings(
        RunMode mode = RunMode.Vote, int quorum = 2, double threshold = 0.5, TimeSpan? window = null,
        DeadlineFallback fallback = DeadlineFallback.PluralityThenJudgeThenExtend, TieRule ties = TieRule.ModelJudge,
        int maxSteps = 30) =>
        new(mode, new ConsensusPolicy(quorum, threshold, window ?? TimeSpan.FromMinutes(30), fallback, ties), MaxSteps: maxSteps);

    public static NewCandidate Bash(string text, ActorId? author = null, CandidateSource source = CandidateSource.Model) =>
        new(CandidateKind.Bash, text, null, source, author ?? ModelActor);

    public static NewCandidate Submit(string text) => new(CandidateKind.Submit, text, null, CandidateSource.Model, ModelActor);
    public static NewCandidate Delegate(string text) => new(CandidateKind.Delegate, text, null, CandidateSource.Model, ModelActor);

    public static Outcome Ok(this Result<Outcome> result)
    {
        Assert.True(result.IsSuccess, $"expected success, got {result.Error}");
        return result.Value;
    }

    public static string Code(this Result<Outcome> result)
    {
        Assert.False(result.IsSuccess, "expected an error, got success");
        return result.Error!.Code;
    }

    public static RunState Started(RunSettings? settings = null, RunId? parent = null) =>
        RunEngine.Start(Run, settings ?? Settings(), T0, parent).Ok().State;

    /// <summary>A run at step 1 in Voting with the given candidates (default: three bash commands).</summary>
    public static RunState Voting(RunSettings? settings = null, params NewCandidate[] candidates)
    {
        var state = Started(settings);
        if (candidates.Length == 0) candidates = [Bash("ls"), Bash("pwd"), Submit("42")];
        return RunEngine.Decide(state, new CandidatesGenerated(ModelActor, 1, candidates), T0).Ok().State;
    }

    public static Outcome Apply(this RunState state, RunCommand command, DateTimeOffset? now = null) =>
        RunEngine.Decide(state, command, now ?? T0.AddMinutes(1)).Ok();

    public static RunState Then(this RunState state, RunCommand command, DateTimeOffset? now = null) =>
        state.Apply(command, now).State;

    public static Result<Outcome> Try(this RunState state, RunCommand command, DateTimeOffset? now = null) =>
        RunEngine.Decide(state, command, now ?? T0.AddMinutes(1));
}
