using Bot.Core.Domain;
using Bot.Core.Engine;
using static Bot.Core.Tests.Engine.EngineFixtures;

namespace Bot.Core.Tests.Engine;

/// <summary>
/// Every RunStatus x command type pair, each asserted to be a specific transition (the status it
/// leads to) or a specific named error. The table below is written out by hand on purpose: a
/// change in engine behaviour must show up as a change here.
/// </summary>
public class TransitionTableTests
{
    private const string Gen = nameof(RunStatus.GeneratingCandidates);
    private const string Vot = nameof(RunStatus.Voting);
    private const string Exe = nameof(RunStatus.Executing);
    private const string Sub = nameof(RunStatus.WaitingOnSubRun);
    private const string Int = nameof(RunStatus.ExecutionInterrupted);
    private const string Pau = nameof(RunStatus.Paused);
    private const string Abo = nameof(RunStatus.Aborted);
    private const string Fai = nameof(RunStatus.Failed);

    private const string NotVoting = EngineErrors.RunNotVotingCode;
    private const string Decided = EngineErrors.StepDecidedCode;
    private const string NotGen = EngineErrors.NotGeneratingCode;
    private const string NotExe = EngineErrors.NotExecutingCode;
    private const string NotInt = EngineErrors.NotInterruptedCode;
    private const string NotSub = EngineErrors.NotWaitingOnSubRunCode;
    private const string Paused = EngineErrors.RunPausedCode;
    private const string NotPaused = EngineErrors.RunNotPausedCode;
    private const string AlreadyGen = EngineErrors.CandidatesAlreadyGeneratedCode;
    private const string Finished = EngineErrors.RunFinishedCode;

    // Columns, in order:
    private static readonly string[] Commands =
    [
        nameof(CandidatesGenerated), nameof(GenerationFailed), nameof(RetryGeneration), nameof(JudgeScored),
        nameof(CastVote), nameof(ProposeCandidate), nameof(OverrideDecision), nameof(DeadlinePassed), nameof(SetDeadline),
        nameof(ExecutionFinished), nameof(ExecutionInterrupted), nameof(RerunInterrupted), nameof(SkipInterrupted),
        nameof(SubRunFinished), nameof(PauseRun), nameof(ResumeRun), nameof(AbortRun), nameof(TimeLimitReached),
    ];

    private static readonly Dictionary<RunStatus, string[]> Expected = new()
    {
        [RunStatus.GeneratingCandidates] =
        [
            Vot, Gen, EngineErrors.GenerationInProgressCode, EngineErrors.NoCandidatesCode,
            NotVoting, NotVoting, EngineErrors.NoCandidatesCode, NotVoting, NotVoting,
            NotExe, NotExe, NotInt, NotInt,
            NotSub, Pau, NotPaused, Abo, Fai,
        ],
        [RunStatus.Voting] =
        [
            AlreadyGen, NotGen, NotGen, Vot,
            Vot, Vot, Exe, Vot, Vot,
            NotExe, NotExe, NotInt, NotInt,
            NotSub, Pau, NotPaused, Abo, Fai,
        ],
        [RunStatus.Executing] =
        [
            AlreadyGen, NotGen, NotGen, Decided,
            Decided, Decided, Decided, Decided, Decided,
            Gen, Int, NotInt, NotInt,
            NotSub, Pau, NotPaused, Abo, Fai,
        ],
        [RunStatus.WaitingOnSubRun] =
        [
            AlreadyGen, NotGen, NotGen, Decided,
            Decided, Decided, Decided, Decided, Decided,
            NotExe, NotExe, NotInt, NotInt,
            Gen, Pau, NotPaused, Abo, Fai,
        ],
        [RunStatus.ExecutionInterrupted] =
        [
            AlreadyGen, NotGen, NotGen, Decided,
            Decided, Decided, Decided, Decided, Decided,
            NotExe, NotExe, Exe, Gen,
            NotSub, Pau, NotPaused, Abo, Fai,
        ],
        // Paused while voting: results of in-flight work are judged as in Voting, humans wait.
        [RunStatus.Paused] =
        [
            AlreadyGen, NotGen, Paused, Pau,
            Paused, Paused, Paused, Paused, Paused,
            NotExe, NotExe, Paused, Paused,
            NotSub, Paused, Vot, Abo, Fai,
        ],
        [RunStatus.Completed] = Enumerable.Repeat(Finished, Commands.Length).ToArray(),
        [RunStatus.Failed] = Enumerable.Repeat(Finished, Commands.Length).ToArray(),
        [RunStatus.Aborted] = Enumerable.Repeat(Finished, Commands.Length).ToArray(),
    };

    public static TheoryData<RunStatus, string> Pairs()
    {
        var data = new TheoryData<RunStatus, string>();
        foreach (var status in Enum.GetValues<RunStatus>())
            foreach (var command in Commands)
                data.Add(status, command);
        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Every_status_and_command_pair_is_a_transition_or_a_named_error(RunStatus status, string commandName)
    {
        // Every state carries a time limit so that TimeLimitReached applies; no other command looks at it.
        var state = StateIn(status);
        state = state with { Settings = state.Settings with { TimeLimit = TimeSpan.FromHours(1) } };
        Assert.Equal(status, state.Status);
        var (command, now) = CommandNamed(commandName);
        var expected = Expected[status][Array.IndexOf(Commands, commandName)];

        var result = RunEngine.Decide(state, command, now);

        if (Enum.TryParse<RunStatus>(expected, out var expectedStatus))
        {
            Assert.True(result.IsSuccess, $"{status} x {commandName}: expected a transition to {expected}, got {result.Error}");
            Assert.Equal(expectedStatus, result.Value.State.Status);
            Assert.NotEmpty(result.Value.Events); // a transition always says what happened
        }
        else
        {
            Assert.False(result.IsSuccess, $"{status} x {commandName}: expected {expected}, got a transition to {(result.IsSuccess ? result.Value.State.Status : null)}");
            Assert.Equal(expected, result.Error!.Code);
            Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
        }
    }

    [Fact]
    public void The_table_covers_every_status_and_every_command_type()
    {
        Assert.Equal(Enum.GetValues<RunStatus>().ToHashSet(), Expected.Keys.ToHashSet());
        Assert.All(Expected.Values, row => Assert.Equal(Commands.Length, row.Length));
        var commandTypes = typeof(RunCommand).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(RunCommand)) && !t.IsAbstract)
            .Select(t => t.Name)
            .ToHashSet();
        Assert.Equal(commandTypes, Commands.ToHashSet());
    }

    private static (RunCommand Command, DateTimeOffset Now) CommandNamed(string name)
    {
        var soon = T0.AddMinutes(1);
        var verdict = new JudgeVerdict([new JudgeScore(1, 7, "ok"), new JudgeScore(2, 3, "meh"), new JudgeScore(3, 1, "no")], "judge");
        return name switch
        {
            nameof(CandidatesGenerated) => (new CandidatesGenerated(ModelActor, 1, [Bash("echo hi")]), soon),
            nameof(GenerationFailed) => (new GenerationFailed(ModelActor, 1, "timeout"), soon),
            nameof(RetryGeneration) => (new RetryGeneration(Researcher, 1), soon),
            nameof(JudgeScored) => (new JudgeScored(ModelActor, 1, verdict), soon),
            nameof(CastVote) => (new CastVote(Alice, 1, 1), soon),
            nameof(ProposeCandidate) => (new ProposeCandidate(Alice, 1, Bash("whoami", Alice, CandidateSource.Contractor)), soon),
            nameof(OverrideDecision) => (new OverrideDecision(Researcher, 1, 1), soon),
            nameof(DeadlinePassed) => (new DeadlinePassed(ActorId.System, 1), T0.AddMinutes(31)),
            nameof(SetDeadline) => (new SetDeadline(Researcher, 1, T0.AddHours(2)), soon),
            nameof(ExecutionFinished) => (new ExecutionFinished(ActorId.System, 1, new Observation("ok", 0)), soon),
            nameof(ExecutionInterrupted) => (new ExecutionInterrupted(ActorId.System, 1), soon),
            nameof(RerunInterrupted) => (new RerunInterrupted(Researcher, 1), soon),
            nameof(SkipInterrupted) => (new SkipInterrupted(Researcher, 1), soon),
            nameof(SubRunFinished) => (new SubRunFinished(ActorId.System, 1, new RunId(43), RunStatus.Completed, "done"), soon),
            nameof(PauseRun) => (new PauseRun(Researcher), soon),
            nameof(ResumeRun) => (new ResumeRun(Researcher), soon),
            nameof(AbortRun) => (new AbortRun(Researcher, "test"), soon),
            nameof(TimeLimitReached) => (new TimeLimitReached(ActorId.System), T0.AddHours(1)),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    /// <summary>The state as the store loads it once the delegated child run exists.</summary>
    internal static RunState AwaitingChild(RunState state, RunId child) => state with { Step = state.Step! with { SubRun = child } };

    /// <summary>A representative run at step 1 in <paramref name="status"/>, reached through the engine itself.</summary>
    internal static RunState StateIn(RunStatus status) => status switch
    {
        RunStatus.GeneratingCandidates => Started(),
        RunStatus.Voting => Voting(),
        RunStatus.Executing => Voting().Then(new OverrideDecision(Researcher, 1, 1)),
        RunStatus.WaitingOnSubRun => AwaitingChild(Voting(null, Delegate("find the config file"), Bash("ls"))
            .Then(new OverrideDecision(Researcher, 1, 1)), new RunId(43)),
        RunStatus.ExecutionInterrupted => StateIn(RunStatus.Executing).Then(new ExecutionInterrupted(ActorId.System, 1)),
        RunStatus.Paused => Voting().Then(new PauseRun(Researcher)),
        RunStatus.Completed => Voting().Then(new OverrideDecision(Researcher, 1, 3)),
        RunStatus.Failed => Voting(Settings(maxSteps: 1)).Then(new OverrideDecision(Researcher, 1, 1))
            .Then(new ExecutionFinished(ActorId.System, 1, new Observation("ok", 0))),
        RunStatus.Aborted => Voting().Then(new AbortRun(Researcher)),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
