using Bot.Core.Domain;

namespace Bot.Core.Reporting.Figures;

/// <summary>
/// One person's figures over the steps opened in the scope (definitions in docs/data.md, "Figures").
/// </summary>
/// <param name="StepsSeen">Steps they acted on in any way: voted, rated, tagged or proposed an action.</param>
/// <param name="StepsVoted">Steps they hold a current vote on.</param>
/// <param name="WithDecision">Their votes on decided steps: how many matched the decision.</param>
/// <param name="WithOthers">Their votes on steps where the other voters had a single most-voted candidate: how many matched it.</param>
/// <param name="WithJudge">Their votes on steps the judge scored: how many matched the judge's pick.</param>
/// <param name="PickedSucceeded">Steps decided for the candidate they voted for, in runs that have ended: how many of those runs succeeded.</param>
/// <param name="RatingCorrelation">Spearman correlation of their ratings with the mean of the other raters' on the same candidates (null under three pairs).</param>
/// <param name="RatingPairs">Candidates they rated that someone else rated too.</param>
/// <param name="MedianSecondsToVote">Median time from a step being posted to their first vote on it.</param>
/// <param name="Gold">Calibration posts they answered in the scope (latest answer per post) and how many named the gold step's correct candidate, with the Wilson 95% interval.</param>
public sealed record ContractorRow(
    ActorId Actor,
    int StepsSeen,
    int StepsVoted,
    Share WithDecision,
    Share WithOthers,
    Share WithJudge,
    Share PickedSucceeded,
    double? RatingCorrelation,
    int RatingPairs,
    double? MedianSecondsToVote,
    Proportion Gold);

/// <summary>The one definition of the contractor-quality figures.</summary>
public static class ContractorCalculator
{
    /// <summary>People, as opposed to the model or the system, are Discord users.</summary>
    public static bool IsPerson(ActorId actor) => actor.Value.StartsWith("discord:", StringComparison.Ordinal);

    public static IReadOnlyList<ContractorRow> Compute(FigureData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var steps = data.Steps.Where(s => s.InScope).ToDictionary(s => s.Id);
        var outcome = data.Runs.ToDictionary(r => r.Id, r => r.Outcome);
        var votes = data.Votes.Where(v => steps.ContainsKey(v.Step)).ToList();
        var votesByStep = votes.ToLookup(v => v.Step);
        var ratings = data.Ratings.Where(r => steps.ContainsKey(r.Step)).ToList();
        var ratingsByCandidate = ratings.ToLookup(r => (r.Step, r.Candidate));
        var votesByPerson = votes.ToLookup(v => v.Voter);
        var ratingsByPerson = ratings.ToLookup(r => r.Rater);

        var acted = votes.Select(v => (v.Voter, v.Step))
            .Concat(ratings.Select(r => (Voter: r.Rater, r.Step)))
            .Concat(data.TagSets.Where(t => steps.ContainsKey(t.Step)).Select(t => (Voter: t.Actor, t.Step)))
            .Concat(data.Candidates.Where(c => steps.ContainsKey(c.Step) && c.Source != CandidateSource.Model).Select(c => (Voter: c.Author, c.Step)))
            .Where(a => IsPerson(a.Voter))
            .Distinct()
            .ToLookup(a => a.Voter, a => a.Step);
        // Calibration answers are only ever read here: they are not votes and count in no live figure.
        var gold = data.Gold.Where(g => IsPerson(g.Person)).ToLookup(g => g.Person);

        var rows = new List<ContractorRow>();
        foreach (var person in acted.Select(g => g.Key).Union(gold.Select(g => g.Key)).OrderBy(a => a.Value, StringComparer.Ordinal))
        {
            var mine = votesByPerson[person].ToList();
            var onDecided = mine.Where(v => steps[v.Step].Decided is not null).ToList();
            var othersPick = mine.Select(v => (Vote: v, Pick: UniquePlurality(votesByStep[v.Step].Where(o => o.Voter != person))))
                .Where(x => x.Pick is not null).ToList();
            var ratingPairs = ratingsByPerson[person]
                .Select(r => (Mine: (double)r.Value, Others: ratingsByCandidate[(r.Step, r.Candidate)].Where(o => o.Rater != person).ToList()))
                .Where(x => x.Others.Count > 0)
                .Select(x => (x.Mine, x.Others.Average(o => (double)o.Value)))
                .ToList();

            rows.Add(new ContractorRow(
                person,
                acted[person].Count(),
                mine.Count,
                Share.Tally(onDecided, v => v.Candidate == steps[v.Step].Decided),
                Share.Tally(othersPick, x => x.Vote.Candidate == x.Pick),
                Share.Tally(mine.Where(v => steps[v.Step].JudgePick is not null), v => v.Candidate == steps[v.Step].JudgePick),
                Share.Tally(onDecided.Where(v => v.Candidate == steps[v.Step].Decided && outcome[steps[v.Step].Root] != RunOutcome.Running),
                    v => outcome[steps[v.Step].Root] == RunOutcome.Succeeded),
                Statistics.Spearman(ratingPairs),
                ratingPairs.Count,
                Statistics.Median(mine.Select(v => Math.Max(0, (v.FirstCastAt - steps[v.Step].PostedAt).TotalSeconds))),
                Statistics.Wilson(gold[person].Count(g => g.Candidate == g.Correct), gold[person].Count())));
        }
        return rows;
    }

    /// <summary>The candidate with the most votes, or null when nobody voted or the top is tied.</summary>
    private static int? UniquePlurality(IEnumerable<FigureVote> votes)
    {
        var top = votes.GroupBy(v => v.Candidate).Select(g => (Candidate: g.Key, Count: g.Count()))
            .OrderByDescending(x => x.Count).Take(2).ToList();
        if (top.Count == 0 || (top.Count == 2 && top[0].Count == top[1].Count)) return null;
        return top[0].Candidate;
    }
}
