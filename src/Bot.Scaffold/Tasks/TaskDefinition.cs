namespace Bot.Scaffold.Tasks;

/// <summary>How a submitted answer is scored.</summary>
public enum ScoringKind { None, Exact, Regex, Command }

/// <summary>
/// Scoring of a task: the answer equals <see cref="Expected"/> (after trimming), matches the regular
/// expression <see cref="Expected"/>, or the shell command <see cref="Expected"/> exits 0 when run in
/// the sandbox with the answer in <c>$ANSWER</c>.
/// </summary>
public sealed record TaskScoring(ScoringKind Kind, string Expected, bool IgnoreCase);

/// <summary>A task as loaded from <c>tasks/&lt;name&gt;.yaml</c>.</summary>
public sealed record TaskDefinition(
    string Name,
    string Title,
    string Instructions,
    IReadOnlyDictionary<string, string> Files,
    TaskScoring? Scoring,
    int MaxSteps,
    TimeSpan? TimeLimit,
    IReadOnlyList<string> Tags,
    string SourceFile);
