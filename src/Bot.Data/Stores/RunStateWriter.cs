using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Core.Text;
using Bot.Data.Json;
using Dapper;

namespace Bot.Data.Stores;

/// <summary>
/// Collects what accepted commands must store, then writes it with one statement per table (rows
/// passed as arrays and expanded with <c>unnest</c>), so a batch of commands costs the same number
/// of statements as one command, and the statement texts stay fixed (the server can keep them prepared).
/// Rows come from comparing the step before and after (new candidates, changed votes), from the new
/// state (run and current-step rows), and from the events (decisions, observations, the final answer).
/// Free text is passed through <see cref="SafeText.ForStorage"/> (and jsonb through DataJson's string
/// converter): the producers clean it already, but one NUL would otherwise fail the whole batch on every retry.
/// </summary>
internal sealed partial class RunStateWriter
{
    private readonly List<EventRow> _events = [];
    private readonly Dictionary<(long Run, int Number), StepState> _steps = [];
    private readonly List<(long Run, int Step, Candidate Candidate)> _candidates = [];
    private readonly Dictionary<(long Run, int Step, string Voter), Vote> _votes = [];
    private readonly List<(long Run, int Step, Vote Vote, int? Previous)> _voteHistory = [];
    private readonly List<(long Run, int Step, string Voter)> _removedVotes = [];
    private readonly List<(long Run, StepDecided Decided)> _decisions = [];
    private readonly List<(long Run, StepDecided Decided)> _otherStepDecisions = [];
    private readonly List<(long Run, ObservationRecorded Observed)> _observations = [];
    private readonly Dictionary<long, RunRow> _runs = [];
    private readonly Dictionary<string, WorkItem> _work = new(StringComparer.Ordinal);
    private readonly List<(string Id, long Run, string Type, long Version)> _seen = [];
    private DateTime _at;

    private sealed record EventRow(long Run, long Seq, string Type, string Payload, string Actor, string? InteractionId);
    private sealed record RunRow(RunState State, string? Answer, long LastSeq, int Commands);

    public bool IsEmpty => _runs.Count == 0;

    /// <summary>Adds one accepted command (or a run start when <paramref name="command"/> is null); returns the run's last event number.</summary>
    public long Add(RunState before, RunCommand? command, Outcome outcome, long lastSeq, long newVersion, string? interactionId, DateTimeOffset now)
    {
        var run = outcome.State.RunId.Value;
        var after = outcome.State;
        _at = now.UtcDateTime;

        var actor = command?.Actor.Value ?? ActorId.System.Value;
        if (command is not null)
            _events.Add(new EventRow(run, ++lastSeq, "command:" + StoredNames.Of(command), DataJson.Serialize(command, command.GetType()), actor, interactionId));
        foreach (var e in outcome.Events)
            _events.Add(new EventRow(run, ++lastSeq, StoredNames.Of(e), DataJson.Serialize(e, e.GetType()), actor, interactionId));

        if (after.Step is { } step && !ReferenceEquals(step, before.Step))
        {
            _steps[(run, step.Number)] = step;
            var previous = before.Step?.Number == step.Number ? before.Step : null;
            var known = previous?.Candidates.Select(c => c.Number).ToHashSet() ?? [];
            foreach (var c in step.Candidates.Where(c => !known.Contains(c.Number)))
                _candidates.Add((run, step.Number, c));

            var old = previous?.Votes.ToDictionary(v => v.Voter) ?? [];
            foreach (var v in step.Votes)
            {
                var had = old.GetValueOrDefault(v.Voter);
                if (had is not null && had.CandidateNumber == v.CandidateNumber && had.CastAt == v.CastAt) continue;
                _votes[(run, step.Number, v.Voter.Value)] = v;
                _voteHistory.Add((run, step.Number, v, had?.CandidateNumber));
            }
            var current = step.Votes.Select(v => v.Voter).ToHashSet();
            foreach (var gone in old.Keys.Where(k => !current.Contains(k)))
            {
                _votes.Remove((run, step.Number, gone.Value));
                _removedVotes.Add((run, step.Number, gone.Value));
            }
        }

        foreach (var e in outcome.Events)
        {
            switch (e)
            {
                case StepDecided sd:
                    _decisions.Add((run, sd));
                    if (sd.StepNumber != after.Step?.Number) _otherStepDecisions.Add((run, sd));
                    break;
                case ObservationRecorded o:
                    _observations.Add((run, o));
                    break;
            }
        }

        var answer = outcome.Events.OfType<RunFinished>().Select(f => f.Answer).LastOrDefault(a => a is not null);
        var commands = (_runs.GetValueOrDefault(run)?.Commands ?? 0) + 1;
        _runs[run] = new RunRow(after, answer ?? _runs.GetValueOrDefault(run)?.Answer, lastSeq, commands);

        foreach (var w in outcome.Work)
        {
            if (w is RenderStepWork render)
            {
                // Rendering shows the step as it is when the worker runs, so within one transaction only the
                // newest revision of a step needs an item; older ones would post the same message again.
                var older = _work.Values.OfType<RenderStepWork>().FirstOrDefault(r => r.RunId == render.RunId && r.StepNumber == render.StepNumber);
                if (older is not null)
                {
                    if (older.Revision >= render.Revision) continue;
                    _work.Remove(older.IdempotencyKey);
                }
            }
            _work.TryAdd(w.IdempotencyKey, w);
        }
        if (interactionId is not null)
            _seen.Add((interactionId, run, command is null ? StoredNames.StartRun : StoredNames.Of(command), newVersion));
        return lastSeq;
    }

    /// <param name="transaction">The caller's transaction; null when the load began it in SQL: the statements then end with COMMIT, one round trip for both.</param>
    /// <param name="decidedFrom">Runs decided from memory at these versions, without a load: the
    /// statements then begin the transaction themselves, with the version check in front (<see cref="RunStateLoader.GuardSql"/>).</param>
    public CommandDefinition ToCommand(System.Data.IDbTransaction? transaction, CancellationToken cancellationToken,
        IReadOnlyDictionary<RunId, LoadedRun>? decidedFrom = null)
    {
        var sql = new List<string>();
        var p = new DynamicParameters();
        if (decidedFrom is not null)
        {
            sql.Add(RunStateLoader.BeginSql);
            sql.Add(RunStateLoader.GuardSql);
            var guarded = decidedFrom.OrderBy(r => r.Key.Value).ToList();
            p.Add("g_ids", guarded.Select(r => r.Key.Value).ToArray());
            p.Add("g_versions", guarded.Select(r => r.Value.Version).ToArray());
        }
        if (!IsEmpty) p.Add("at", _at);

        if (_events.Count > 0)
        {
            sql.Add(InsertEvents);
            p.Add("e_runs", _events.Select(e => e.Run).ToArray());
            p.Add("e_seqs", _events.Select(e => e.Seq).ToArray());
            p.Add("e_types", _events.Select(e => e.Type).ToArray());
            p.Add("e_payloads", _events.Select(e => e.Payload).ToArray());
            p.Add("e_actors", _events.Select(e => e.Actor).ToArray());
            p.Add("e_interactions", _events.Select(e => e.InteractionId).ToArray());
        }
        if (_steps.Count > 0)
        {
            var steps = _steps.ToList();
            sql.Add(UpsertSteps);
            p.Add("s_runs", steps.Select(s => s.Key.Run).ToArray());
            p.Add("s_numbers", steps.Select(s => s.Key.Number).ToArray());
            p.Add("s_opened", steps.Select(s => s.Value.OpenedAt.UtcDateTime).ToArray());
            p.Add("s_deadlines", steps.Select(s => s.Value.Deadline?.UtcDateTime).ToArray());
            p.Add("s_statuses", steps.Select(s => s.Value.Decision is null ? "open" : "decided").ToArray());
            p.Add("s_judges", steps.Select(s => s.Value.Judge is null ? null : DataJson.Serialize(s.Value.Judge)).ToArray());
            p.Add("s_gen_errors", steps.Select(s => SafeText.ForStorageOrNull(s.Value.GenerationFailure)).ToArray());
            p.Add("s_gen_attempts", steps.Select(s => s.Value.GenerationAttempt).ToArray());
            p.Add("s_exec_attempts", steps.Select(s => s.Value.ExecutionAttempt).ToArray());
            p.Add("s_revisions", steps.Select(s => s.Value.Revision).ToArray());
        }
        if (_candidates.Count > 0)
        {
            sql.Add(InsertCandidates);
            p.Add("c_runs", _candidates.Select(c => c.Run).ToArray());
            p.Add("c_steps", _candidates.Select(c => c.Step).ToArray());
            p.Add("c_numbers", _candidates.Select(c => c.Candidate.Number).ToArray());
            p.Add("c_kinds", _candidates.Select(c => DataJson.Name(c.Candidate.Kind)).ToArray());
            p.Add("c_texts", _candidates.Select(c => SafeText.ForStorage(c.Candidate.Text)).ToArray());
            p.Add("c_rationales", _candidates.Select(c => SafeText.ForStorageOrNull(c.Candidate.Rationale)).ToArray());
            p.Add("c_sources", _candidates.Select(c => DataJson.Name(c.Candidate.Source)).ToArray());
            p.Add("c_authors", _candidates.Select(c => c.Candidate.Author.Value).ToArray());
            p.Add("c_created", _candidates.Select(c => c.Candidate.ProposedAt.UtcDateTime).ToArray());
        }
        if (_removedVotes.Count > 0)
        {
            sql.Add(DeleteVotes);
            p.Add("d_runs", _removedVotes.Select(v => v.Run).ToArray());
            p.Add("d_steps", _removedVotes.Select(v => v.Step).ToArray());
            p.Add("d_voters", _removedVotes.Select(v => v.Voter).ToArray());
        }
        if (_votes.Count > 0)
        {
            var votes = _votes.ToList();
            sql.Add(UpsertVotes);
            p.Add("v_runs", votes.Select(v => v.Key.Run).ToArray());
            p.Add("v_steps", votes.Select(v => v.Key.Step).ToArray());
            p.Add("v_voters", votes.Select(v => v.Key.Voter).ToArray());
            p.Add("v_candidates", votes.Select(v => v.Value.CandidateNumber).ToArray());
            p.Add("v_cast", votes.Select(v => v.Value.CastAt.UtcDateTime).ToArray());
        }
        if (_voteHistory.Count > 0)
        {
            sql.Add(InsertVoteHistory);
            p.Add("h_runs", _voteHistory.Select(v => v.Run).ToArray());
            p.Add("h_steps", _voteHistory.Select(v => v.Step).ToArray());
            p.Add("h_voters", _voteHistory.Select(v => v.Vote.Voter.Value).ToArray());
            p.Add("h_candidates", _voteHistory.Select(v => v.Vote.CandidateNumber).ToArray());
            p.Add("h_previous", _voteHistory.Select(v => v.Previous).ToArray());
            p.Add("h_cast", _voteHistory.Select(v => v.Vote.CastAt.UtcDateTime).ToArray());
        }
        if (_otherStepDecisions.Count > 0)
        {
            sql.Add(MarkStepsDecided);
            AddDecisionArrays(p, "o", _otherStepDecisions);
        }
        if (_decisions.Count > 0)
        {
            sql.Add(InsertDecisions);
            AddDecisionArrays(p, "x", _decisions);
        }
        if (_observations.Count > 0)
        {
            sql.Add(InsertObservations);
            sql.Add(MarkStepsDone);
            p.Add("ob_runs", _observations.Select(o => o.Run).ToArray());
            p.Add("ob_steps", _observations.Select(o => o.Observed.StepNumber).ToArray());
            p.Add("ob_texts", _observations.Select(o => SafeText.ForStorage(o.Observed.Observation.Text)).ToArray());
            p.Add("ob_exit_codes", _observations.Select(o => o.Observed.Observation.ExitCode).ToArray());
            p.Add("ob_durations", _observations.Select(o => (long?)o.Observed.Observation.Duration?.TotalMilliseconds).ToArray());
            p.Add("ob_truncated", _observations.Select(o => o.Observed.Observation.Truncated).ToArray());
        }
        if (!IsEmpty)
        {
            var runs = _runs.ToList();
            sql.Add(UpdateRuns);
            p.Add("r_ids", runs.Select(r => r.Key).ToArray());
            p.Add("r_statuses", runs.Select(r => DataJson.Name(r.Value.State.Status)).ToArray());
            p.Add("r_paused_from", runs.Select(r => r.Value.State.PausedFrom is RunStatus pf ? DataJson.Name(pf) : null).ToArray());
            p.Add("r_current_steps", runs.Select(r => r.Value.State.Step?.Number).ToArray());
            p.Add("r_answers", runs.Select(r => SafeText.ForStorageOrNull(r.Value.Answer)).ToArray());
            p.Add("r_last_seqs", runs.Select(r => r.Value.LastSeq).ToArray());
            p.Add("r_commands", runs.Select(r => r.Value.Commands).ToArray());
            var ended = runs.Where(r => r.Value.State.Status.IsTerminal()).Select(r => r.Key).ToArray();
            if (ended.Length > 0)
            {
                sql.Add(CloseStepsOfEndedRuns);
                p.Add("ended_runs", ended);
            }
        }
        if (_work.Count > 0)
        {
            var work = _work.Values.ToList();
            p.Add("render_kind", WorkKinds.Of(typeof(RenderStepWork)));
            sql.Add(InsertWork);
            p.Add("w_kinds", work.Select(w => WorkKinds.Of(w.GetType())).ToArray());
            p.Add("w_runs", work.Select(w => w.RunId.Value).ToArray());
            p.Add("w_steps", work.Select(w => w.StepNumber).ToArray());
            p.Add("w_keys", work.Select(w => w.IdempotencyKey).ToArray());
            p.Add("w_payloads", work.Select(w => DataJson.Serialize(w, w.GetType())).ToArray());
        }
        if (_seen.Count > 0)
        {
            sql.Add(InsertSeen);
            p.Add("i_ids", _seen.Select(s => s.Id).ToArray());
            p.Add("i_runs", _seen.Select(s => s.Run).ToArray());
            p.Add("i_types", _seen.Select(s => s.Type).ToArray());
            p.Add("i_versions", _seen.Select(s => s.Version).ToArray());
        }
        if (transaction is null) sql.Add("COMMIT");
        // Text, said explicitly: Dapper takes a one-word command (a lone COMMIT) for a stored procedure's name.
        return new CommandDefinition(string.Join(";\n", sql), p, transaction, commandType: System.Data.CommandType.Text, cancellationToken: cancellationToken);
    }

    public bool HasWork => _work.Count > 0;

    private static void AddDecisionArrays(DynamicParameters p, string prefix, List<(long Run, StepDecided Decided)> decisions)
    {
        p.Add(prefix + "_runs", decisions.Select(d => d.Run).ToArray());
        p.Add(prefix + "_steps", decisions.Select(d => d.Decided.StepNumber).ToArray());
        p.Add(prefix + "_candidates", decisions.Select(d => d.Decided.Decision.CandidateNumber).ToArray());
        p.Add(prefix + "_methods", decisions.Select(d => DataJson.Name(d.Decided.Decision.Method)).ToArray());
        p.Add(prefix + "_deciders", decisions.Select(d => d.Decided.Decision.DecidedBy.Value).ToArray());
        p.Add(prefix + "_decided_at", decisions.Select(d => d.Decided.Decision.DecidedAt.UtcDateTime).ToArray());
    }
}
