namespace Bot.Testing.FakeDiscord;

/// <summary>A guild member who clicks, types and submits in tests.</summary>
public sealed record FakeUser(ulong Id, string Username)
{
    public static FakeUser Alice { get; } = new(720_000_000_000_000_001, "alice");
    public static FakeUser Bob { get; } = new(720_000_000_000_000_002, "bob");
    public static FakeUser Carol { get; } = new(720_000_000_000_000_003, "carol");
}
