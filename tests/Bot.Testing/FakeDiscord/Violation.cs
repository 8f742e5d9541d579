namespace Bot.Testing.FakeDiscord;

/// <summary>A request the real Discord would have rejected (or that breaks a project rule).</summary>
public sealed record Violation(string Route, string Problem)
{
    public override string ToString() => $"{Route}: {Problem}";
}

/// <summary>Thrown by <see cref="FakeDiscordServer.AssertNoViolations"/>.</summary>
public sealed class FakeDiscordViolationException(IReadOnlyList<Violation> violations)
    : Exception("Fake Discord saw requests the real Discord would reject:\n  " + string.Join("\n  ", violations))
{
    public IReadOnlyList<Violation> Violations { get; } = violations;
}
