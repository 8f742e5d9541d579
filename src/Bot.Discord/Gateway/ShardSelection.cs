using System.Globalization;
using Microsoft.Extensions.Options;

namespace Bot.Discord.Gateway;

/// <summary>
/// Parses <c>Discord:Shards</c>, the gateway shards a process may run: empty = all of
/// <c>Discord:ShardCount</c>; otherwise ids and ranges, e.g. <c>0-3</c> or <c>0,2</c>.
/// </summary>
public static class ShardSelection
{
    /// <summary>The shard ids, ascending and distinct, or a message naming what is wrong.</summary>
    public static (IReadOnlyList<int> Shards, string? Error) Parse(string? text, int shardCount)
    {
        if (shardCount < 1) return ([], $"Discord:ShardCount must be at least 1 (it is {shardCount}).");
        if (string.IsNullOrWhiteSpace(text)) return (Enumerable.Range(0, shardCount).ToList(), null);
        var shards = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length is < 1 or > 2 || !range.All(IsNumber))
                return ([], $"Discord:Shards '{text}' is not a list of shard ids and ranges such as '0-3' or '0,2' ('{part}').");
            int first = Number(range[0]), last = Number(range[^1]);
            if (first > last) return ([], $"Discord:Shards range '{part}' runs backwards.");
            if (last >= shardCount)
                return ([], $"Discord:Shards names shard {last}, but Discord:ShardCount is {shardCount} (shards are 0 to {shardCount - 1}).");
            for (var id = first; id <= last; id++) shards.Add(id);
        }
        return (shards.ToList(), null);
    }

    private static bool IsNumber(string s) => s.Length is > 0 and < 6 && s.All(char.IsAsciiDigit);

    private static int Number(string s) => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>Refuses a bad <c>Discord:Shards</c> or <c>Discord:ShardCount</c> at start, with the parser's own message.</summary>
    internal sealed class Validator : IValidateOptions<DiscordOptions>
    {
        public ValidateOptionsResult Validate(string? name, DiscordOptions options) =>
            Parse(options.Shards, options.ShardCount).Error is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
    }
}
