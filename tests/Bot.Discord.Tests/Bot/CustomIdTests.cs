using Bot.Core.Domain;
using Bot.Discord.Bot;

namespace Bot.Discord.Tests.Bot;

public sealed class CustomIdTests
{
    public static TheoryData<string> Built => new()
    {
        CustomIds.Vote(new StepId(long.MaxValue), int.MaxValue),
        CustomIds.Propose(new StepId(1)),
        CustomIds.Rate(new StepId(12)),
        CustomIds.RatePage(new StepId(12), 3),
        CustomIds.Tag(new StepId(5)),
        CustomIds.Stuck(new StepId(5)),
        CustomIds.Decide(new StepId(5)),
        CustomIds.RatingSelect(new StepId(5), 2),
        CustomIds.TagSelect(new StepId(5)),
        CustomIds.OverrideSelect(new StepId(5)),
        CustomIds.Comment(new StepId(5)),
        CustomIds.ProposalModal(new StepId(5)),
        CustomIds.CommentModal(new StepId(5)),
        CustomIds.VoteSelect(new StepId(5)),
    };

    [Theory]
    [MemberData(nameof(Built))]
    public void Every_built_id_fits_discord_and_parses_back_to_itself(string id)
    {
        Assert.InRange(id.Length, 1, 100);
        var parsed = CustomIds.Parse(id);
        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.Equal(id, CustomIds.Build(parsed.Value.Kind, parsed.Value.StepId, parsed.Value.Number));
    }

    [Fact]
    public void A_vote_id_carries_its_step_and_candidate()
    {
        var parsed = CustomIds.Parse(CustomIds.Vote(new StepId(42), 3)).Value;
        Assert.Equal(new ParsedCustomId(CustomIdKind.Vote, new StepId(42), 3), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("vote")]
    [InlineData("vote:")]
    [InlineData("vote:42")]
    [InlineData("vote:42:1:9")]
    [InlineData("vote:-42:1")]
    [InlineData("vote:+42:1")]
    [InlineData("vote:042:1")]
    [InlineData("vote:0:1")]
    [InlineData("vote:42:x")]
    [InlineData("vote: 42:1")]
    [InlineData("propose:42:1")]
    [InlineData("delete:42")]
    [InlineData("VOTE:42:1")]
    [InlineData("vote:99999999999999999999:1")]
    [InlineData("vote:42:99999999999")]
    [InlineData("vote:٤٢:1")]
    public void Forged_or_malformed_ids_are_refused_with_a_named_error(string id)
    {
        var parsed = CustomIds.Parse(id);
        Assert.False(parsed.IsSuccess);
        Assert.Equal(CustomIds.MalformedCode, parsed.Error!.Code);
    }

    [Fact]
    public void An_id_longer_than_discord_allows_is_refused()
    {
        Assert.False(CustomIds.Parse("vote:1:" + new string('1', 100)).IsSuccess);
    }
}
