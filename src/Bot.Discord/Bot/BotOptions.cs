using System.ComponentModel.DataAnnotations;

namespace Bot.Discord.Bot;

/// <summary>
/// Where the bot works in Discord and who may do what; section <c>Discord</c> (shared with the
/// client's <see cref="DiscordOptions"/>, which binds the connection settings of the same section).
/// </summary>
public sealed class BotOptions
{
    public const string SectionName = "Discord";

    /// <summary>The guild whose slash commands are overwritten at start.</summary>
    [Range(1, ulong.MaxValue)]
    public ulong GuildId { get; set; }

    /// <summary>Text channel in which run threads are opened.</summary>
    [Range(1, ulong.MaxValue)]
    public ulong RunsChannelId { get; set; }

    /// <summary>Digests and alerts.</summary>
    public ulong? TeamChannelId { get; set; }

    /// <summary>Roles that may start and steer runs (and also vote).</summary>
    public List<ulong> ResearcherRoleIds { get; set; } = [];

    /// <summary>Roles that may vote, propose, rate and tag.</summary>
    public List<ulong> ContractorRoleIds { get; set; } = [];

    /// <summary>Tags offered on the Tag panel (lower-case, digits, '-' or '_'; at most 25).</summary>
    [MaxLength(25)]
    public List<string> TagTaxonomy { get; set; } =
    [
        "planning", "coding", "information-gathering", "self-correction",
        "hallucination", "tool-misuse", "stuck-loop", "refusal",
    ];

    /// <summary>Replies to a step message become proposals (needs the MESSAGE_CONTENT intent).</summary>
    public bool ReplyProposals { get; set; } = true;

    /// <summary>Register the guild's slash commands when the bot starts.</summary>
    public bool RegisterCommands { get; set; } = true;
}
