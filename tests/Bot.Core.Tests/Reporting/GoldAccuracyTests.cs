using Bot.Core.Domain;
using Bot.Core.Reporting.Figures;

namespace Bot.Core.Tests.Reporting;

/// <summary>The gold figure of <see cref="ContractorCalculator"/> on answers given directly (no database).</summary>
public sealed class GoldAccuracyTests
{
    private static FigureData With(params FigureGoldAnswer[] gold) => new(FigureScope.All, [], [], [], [], [], [], [], gold);

    [Fact]
    public void A_person_who_only_answered_calibration_steps_gets_a_row_with_their_accuracy_and_no_live_figures()
    {
        var dana = ActorId.Discord(9);
        var rows = ContractorCalculator.Compute(With(
            new FigureGoldAnswer(1, new StepId(10), dana, 2, 2),
            new FigureGoldAnswer(2, new StepId(11), dana, 1, 3),
            new FigureGoldAnswer(3, new StepId(10), dana, 2, 2)));

        var row = Assert.Single(rows);
        // 2 of 3; Wilson 95% (z = 1.96): 0.2077 to 0.9385.
        Assert.Equal((2, 3), (row.Gold.Successes, row.Gold.Trials));
        Assert.Equal(0.2077, row.Gold.Low!.Value, 4);
        Assert.Equal(0.9385, row.Gold.High!.Value, 4);
        Assert.Equal((0, 0, 0), (row.StepsSeen, row.StepsVoted, row.WithDecision.Of));
    }

    [Fact]
    public void Answers_by_actors_that_are_not_people_are_left_out()
    {
        var rows = ContractorCalculator.Compute(With(new FigureGoldAnswer(1, new StepId(10), new ActorId("system:test"), 2, 2)));

        Assert.Empty(rows);
    }
}
