using System.Globalization;
using Bot.Core.Domain;
using Bot.Core.Results;
using Bot.Core.Text;

namespace Bot.Discord.Bot;

/// <summary>What a component or modal custom id asks for.</summary>
public enum CustomIdKind
{
    /// <summary>Vote button: <c>vote:{step}:{n}</c>.</summary>
    Vote,
    /// <summary>Propose button (opens the modal): <c>propose:{step}</c>.</summary>
    Propose,
    /// <summary>Rate button (opens the panel): <c>rate:{step}</c>, page in <see cref="ParsedCustomId.Number"/> when paging.</summary>
    Rate,
    /// <summary>Tag button (opens the panel): <c>tag:{step}</c>.</summary>
    Tag,
    /// <summary>Stuck? button: <c>stuck:{step}</c>.</summary>
    Stuck,
    /// <summary>Decide button (researchers; opens the override panel): <c>decide:{step}</c>.</summary>
    Decide,
    /// <summary>Rating select for one candidate: <c>rating:{step}:{n}</c>.</summary>
    RatingSelect,
    /// <summary>Tag multi-select: <c>tags:{step}</c>.</summary>
    TagSelect,
    /// <summary>Override select: <c>override:{step}</c>.</summary>
    OverrideSelect,
    /// <summary>Button opening the comment modal: <c>comment:{step}</c>.</summary>
    Comment,
    /// <summary>Propose modal submit: <c>proposal:{step}</c>.</summary>
    ProposalModal,
    /// <summary>Vote select, used instead of buttons when a step has more candidates than fit: <c>pick:{step}</c>.</summary>
    VoteSelect,
    /// <summary>Comment modal submit: <c>note:{step}</c>.</summary>
    CommentModal,
    /// <summary>Retry button on a step whose generation failed (researchers): <c>retry:{step}</c>.</summary>
    Retry,
    /// <summary>Re-run button on an interrupted execution (researchers): <c>rerun:{step}</c>.</summary>
    Rerun,
    /// <summary>Skip button on an interrupted execution (researchers): <c>skip:{step}</c>.</summary>
    Skip,
    /// <summary>Vote button of a calibration post: <c>ballot:{post}:{n}</c> (the id is a calibration post's, not a step's).</summary>
    CalibrationVote,
    /// <summary>Vote select of a calibration post with many candidates: <c>ballots:{post}</c>.</summary>
    CalibrationSelect,
    /// <summary>Any other button of a calibration post (Propose, Rate, ...), by its position: <c>aside:{post}:{slot}</c>.</summary>
    CalibrationOther,
}

/// <summary>A custom id that parsed; the step and number are still to be checked against the database.</summary>
/// <param name="StepId">The step; for the calibration kinds, the calibration post's id instead (see <see cref="IsCalibration"/>).</param>
public sealed record ParsedCustomId(CustomIdKind Kind, StepId StepId, int? Number = null)
{
    /// <summary>Calibration ids name a post, never a step, so no click on one can reach a run's engine.</summary>
    public bool IsCalibration => Kind is CustomIdKind.CalibrationVote or CustomIdKind.CalibrationSelect or CustomIdKind.CalibrationOther;

    public long CalibrationPostId => IsCalibration ? StepId.Value : throw new InvalidOperationException($"A {Kind} id names a step, not a calibration post.");
}

/// <summary>
/// The one place custom ids are built and parsed. Grammar: <c>{prefix}:{stepId}[:{number}]</c> with
/// decimal numbers only, always 1-100 characters. Parsing only proves the shape; handlers
/// re-validate the step and the number against the database, because clients can send any string.
/// </summary>
public static class CustomIds
{
    public const int MaxLength = 100;
    public const string MalformedCode = "custom_id_malformed";

    /// <summary>Text input ids inside the modals (not routed, read from the submit).</summary>
    public static class Inputs
    {
        public const string Action = "action";
        public const string Kind = "kind";
        public const string Rationale = "rationale";
        public const string KeepVote = "keep_vote";
        public const string Comment = "comment";
    }

    private static readonly (CustomIdKind Kind, string Prefix, bool HasNumber)[] Grammar =
    [
        (CustomIdKind.Vote, "vote", true),
        (CustomIdKind.Propose, "propose", false),
        (CustomIdKind.Rate, "rate", false),
        (CustomIdKind.Tag, "tag", false),
        (CustomIdKind.Stuck, "stuck", false),
        (CustomIdKind.Decide, "decide", false),
        (CustomIdKind.RatingSelect, "rating", true),
        (CustomIdKind.TagSelect, "tags", false),
        (CustomIdKind.OverrideSelect, "override", false),
        (CustomIdKind.Comment, "comment", false),
        (CustomIdKind.ProposalModal, "proposal", false),
        (CustomIdKind.CommentModal, "note", false),
        (CustomIdKind.VoteSelect, "pick", false),
        (CustomIdKind.Retry, "retry", false),
        (CustomIdKind.Rerun, "rerun", false),
        (CustomIdKind.Skip, "skip", false),
        (CustomIdKind.CalibrationVote, "ballot", true),
        (CustomIdKind.CalibrationSelect, "ballots", false),
        (CustomIdKind.CalibrationOther, "aside", true),
    ];

    public static string Vote(StepId step, int candidate) => Build(CustomIdKind.Vote, step, candidate);
    public static string Propose(StepId step) => Build(CustomIdKind.Propose, step);
    public static string Rate(StepId step) => Build(CustomIdKind.Rate, step);
    public static string RatePage(StepId step, int page) => Build(CustomIdKind.Rate, step, page);
    public static string Tag(StepId step) => Build(CustomIdKind.Tag, step);
    public static string Stuck(StepId step) => Build(CustomIdKind.Stuck, step);
    public static string Decide(StepId step) => Build(CustomIdKind.Decide, step);
    public static string RatingSelect(StepId step, int candidate) => Build(CustomIdKind.RatingSelect, step, candidate);
    public static string TagSelect(StepId step) => Build(CustomIdKind.TagSelect, step);
    public static string OverrideSelect(StepId step) => Build(CustomIdKind.OverrideSelect, step);
    public static string Comment(StepId step) => Build(CustomIdKind.Comment, step);
    public static string ProposalModal(StepId step) => Build(CustomIdKind.ProposalModal, step);
    public static string CommentModal(StepId step) => Build(CustomIdKind.CommentModal, step);
    public static string VoteSelect(StepId step) => Build(CustomIdKind.VoteSelect, step);
    public static string Retry(StepId step) => Build(CustomIdKind.Retry, step);
    public static string Rerun(StepId step) => Build(CustomIdKind.Rerun, step);
    public static string Skip(StepId step) => Build(CustomIdKind.Skip, step);

    public static string CalibrationVote(long post, int candidate) => Build(CustomIdKind.CalibrationVote, new StepId(post), candidate);
    public static string CalibrationSelect(long post) => Build(CustomIdKind.CalibrationSelect, new StepId(post));
    public static string CalibrationOther(long post, int slot) => Build(CustomIdKind.CalibrationOther, new StepId(post), slot);

    public static string Build(CustomIdKind kind, StepId step, int? number = null)
    {
        var entry = Grammar.Single(g => g.Kind == kind);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step.Value, nameof(step));
        if (number is { } n) ArgumentOutOfRangeException.ThrowIfNegative(n, nameof(number));
        if (entry.HasNumber && number is null) throw new ArgumentException($"{kind} ids carry a number.", nameof(number));
        var id = number is { } value
            ? string.Create(CultureInfo.InvariantCulture, $"{entry.Prefix}:{step.Value}:{value}")
            : string.Create(CultureInfo.InvariantCulture, $"{entry.Prefix}:{step.Value}");
        return id;
    }

    public static Result<ParsedCustomId> Parse(string? customId)
    {
        if (customId is not { Length: >= 1 and <= MaxLength })
            return Malformed("it is empty or longer than 100 characters");
        var parts = customId.Split(':');
        if (parts.Length is < 2 or > 3)
            return Malformed("it does not have the form prefix:step[:number]");
        var entry = Array.Find(Grammar, g => string.Equals(g.Prefix, parts[0], StringComparison.Ordinal));
        if (entry.Prefix is null)
            return Malformed($"the prefix '{Shorten(parts[0])}' is unknown");
        if (!TryNumber(parts[1], out var step) || step <= 0)
            return Malformed("the step id is not a positive number");
        int? number = null;
        if (parts.Length == 3)
        {
            if (!TryNumber(parts[2], out var n) || n > int.MaxValue)
                return Malformed("the trailing number is not a number");
            number = (int)n;
        }
        // Rate ids may carry a page; every other kind has a fixed arity.
        if (entry.HasNumber ? number is null : number is not null && entry.Kind != CustomIdKind.Rate)
            return Malformed($"'{entry.Prefix}' ids {(entry.HasNumber ? "need" : "take no")} trailing number");
        return new ParsedCustomId(entry.Kind, new StepId(step), number);
    }

    // Digits only: long.TryParse would accept signs, spaces and leading zeros, giving several spellings per id.
    private static bool TryNumber(string text, out long value)
    {
        value = 0;
        if (text.Length is 0 or > 19 || (text.Length > 1 && text[0] == '0')) return false;
        foreach (var ch in text)
        {
            if (ch is < '0' or > '9') return false;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static Error Malformed(string why) =>
        new(MalformedCode, $"This button is not one of ours ({why}); use the buttons on the latest step message.");

    private static string Shorten(string text) => SafeText.Prefix(text, 20);
}
