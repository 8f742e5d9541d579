namespace Bot.Data.Postgres;

/// <summary>
/// Times as PostgreSQL keeps them: <c>timestamptz</c> has microseconds, .NET has 100 ns ticks. Code
/// that compares a time it holds with one it reads back (or decides on it before storing it) uses
/// the stored precision, so memory and database agree.
/// </summary>
internal static class StoredTime
{
    public static DateTimeOffset Of(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    public static bool IsStored(DateTimeOffset at) => at.UtcTicks % 10 == 0 && at.Offset == TimeSpan.Zero;
}
