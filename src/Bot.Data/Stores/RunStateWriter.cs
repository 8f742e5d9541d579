using Bot.Core.Domain;
using Bot.Core.Engine;
using Bot.Data.Json;

namespace Bot.Data.Stores;

/// <summary>
/// Turns one accepted command (state before, outcome) into the statements that store it: the audit
/// events, the run and current-step rows from the new state, new candidates and changed votes by
/// comparing the step before and after, decisions and observations from the events, and the work.
/// </summary>
internal static class RunStateWriter
{
    private const string InsertEvents = """
        INSERT INTO run_events (run_id, seq, type, payload, actor, at, interaction_id)
        SELECT @run_id, e.seq, e.type, e.payload::jsonb, @actor::text, @at::timestamptz, @interaction_id::text
        FROM unnest(@seqs::bigint[], @types::text[], @payloads::text[]) AS e(seq, type, payload)
        """;

    private const string UpsertStep = """
        INSERT INTO steps (run_id, number, opened_at, deadline, status, decided_candidate, decision_method, decided_by, decided_at,
                           judge, generation_error, generation_attempt, execution_attempt, revision)
        VALUES (@run_id, @number, @opened_at, @deadline::timestamptz, @status, @decided_candidate::int, @decision_method::text, @decided_by::text,
                @decided_at::timestamptz, @judge::jsonb, @generation_error::text, @generation_attempt, @execution_attempt, @revision)
        ON CONFLICT (run_id, number) DO UPDATE SET
            deadline = EXCLUDED.deadline,
            status = CASE WHEN steps.status = 'done' THEN 'done' ELSE EXCLUDED.status END,
            decided_candidate = EXCLUDED.decided_candidate, decision_method = EXCLUDED.decision_method,
            decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at,
            judge = EXCLUDED.judge, generation_error = EXCLUDED.generation_error,
            generation_attempt = EXCLUDED.generation_attempt, execution_attempt = EXCLUDED.execution_attempt,
            revision = EXCLUDED.revision
        """;

    private const string InsertCandidates = """
        INSERT INTO candidates (step_id, number, kind, text, rationale, source, author, created_at)
        SELECT s.id, c.number, c.kind, c.text, c.rationale, c.source, c.author, c.created_at
        FROM steps s CROSS JOIN unnest(@numbers::int[], @kinds::text[], @texts::text[], @rationales::text[], @sources::text[], @authors::text[],
                                       @created::timestamptz[]) AS c(number, kind, text, rationale, source, author, created_at)
        WHERE s.run_id = @run_id AND s.number = @step_number
        """;

    private const string UpsertVotes = """
        INSERT INTO votes (step_id, voter, candidate_number, cast_at)
        SELECT s.id, v.voter, v.candidate_number, v.cast_at
        FROM steps s CROSS JOIN unnest(@voters::text[], @candidates::int[], @cast::timestamptz[]) AS v(voter, candidate_number, cast_at)
        WHERE s.run_id = @run_id AND s.number = @step_number
        ON CONFLICT (step_id, voter) DO UPDATE SET candidate_number = EXCLUDED.candidate_number, cast_at = EXCLUDED.cast_at
        """;

    private const string InsertVoteHistory = """
        INSERT INTO vote_history (step_id, voter, candidate_number, previous_candidate, cast_at)
        SELECT s.id, v.voter, v.candidate_number, v.previous, v.cast_at
        FROM steps s CROSS JOIN unnest(@voters::text[], @candidates::int[], @previous::int[], @cast::timestamptz[]) AS v(voter, candidate_number, previous, cast_at)
        WHERE s.run_id = @run_id AND s.number = @step_number
        """;

    private const string DeleteVotes = """
        DELETE FROM votes v USING steps s
        WHERE v.step_id = s.id AND s.run_id = @run_id AND s.number = @step_number AND v.voter = ANY(@voters::text[])
        """;

    private const string InsertDecision = """
        INSERT INTO decisions (step_id, candidate_number, method, decided_by, decided_at)
        SELECT s.id, @candidate::int, @method::text, @decided_by::text, @decided_at::timestamptz
        FROM steps s WHERE s.run_id = @run_id AND s.number = @step_number
        """;

    private const string MarkStepDecided = """
        UPDATE steps SET decided_candidate = @candidate, decision_method = @method, decided_by = @decided_by, decided_at = @decided_at,
                         status = CASE WHEN status = 'done' THEN 'done' ELSE 'decided' END
        WHERE run_id = @run_id AND number = @step_number
        """;

    private const string InsertObservation = """
        INSERT INTO observations (step_id, text, exit_code, duration_ms, truncated, created_at)
        SELECT s.id, @text::text, @exit_code::int, @duration_ms::bigint, @truncated::boolean, @at::timestamptz
        FROM steps s WHERE s.run_id = @run_id AND s.number = @step_number;
        UPDATE steps SET status = 'done' WHERE run_id = @run_id AND number = @step_number
        """;

    private const string UpdateRun = """
        UPDATE runs SET status = @status, paused_from = @paused_from::text, current_step = @current_step::int,
                        answer = COALESCE(@answer::text, answer), updated_at = @at, version = version + 1, last_event_seq = @last_seq
        WHERE id = @run_id
        """;

    private const string InsertWork = """
        INSERT INTO work_items (kind, run_id, step_number, idempotency_key, payload, next_attempt_at, created_at)
        SELECT w.kind, w.run_id, w.step_number, w.key, w.payload::jsonb, @at::timestamptz, @at::timestamptz
        FROM unnest(@kinds::text[], @run_ids::bigint[], @steps::int[], @keys::text[], @payloads::text[]) AS w(kind, run_id, step_number, key, payload)
        ON CONFLICT (idempotency_key) DO NOTHING
        """;

    private const string InsertSeen = """
        INSERT INTO interactions_seen (interaction_id, run_id, command_type, run_version, seen_at)
        VALUES (@interaction_id, @run_id, @command_type, @run_version, @at)
        """;

    /// <summary>Adds the statements for one accepted command; returns the run's last event sequence number after it.</summary>
    public static long Write(SqlBatch batch, RunState before, RunCommand? command, Outcome outcome, long lastSeq, long newVersion,
        string? interactionId, DateTimeOffset now)
    {
        var runId = outcome.State.RunId.Value;
        var at = now.ToUniversalTime();
        var after = outcome.State;

        // Audit: the command itself, then what it caused.
        var types = new List<string>();
        var payloads = new List<string>();
        if (command is not null)
        {
            types.Add("command:" + command.GetType().Name);
            payloads.Add(DataJson.Serialize(command, command.GetType()));
        }
        foreach (var e in outcome.Events)
        {
            types.Add(e.GetType().Name);
            payloads.Add(DataJson.Serialize(e, e.GetType()));
        }
        var seqs = Enumerable.Range(1, types.Count).Select(i => lastSeq + i).ToArray();
        var actor = command?.Actor.Value ?? ActorId.System.Value;
        batch.Add(InsertEvents, P(("run_id", runId), ("seqs", seqs), ("types", types.ToArray()), ("payloads", payloads.ToArray()),
            ("actor", actor), ("at", at), ("interaction_id", interactionId)));

        if (after.Step is { } step && !ReferenceEquals(step, before.Step))
        {
            var d = step.Decision;
            batch.Add(UpsertStep, P(("run_id", runId), ("number", step.Number), ("opened_at", step.OpenedAt.ToUniversalTime()),
                ("deadline", step.Deadline?.ToUniversalTime()), ("status", d is null ? "open" : "decided"),
                ("decided_candidate", d?.CandidateNumber), ("decision_method", d is null ? null : DataJson.Name(d.Method)),
                ("decided_by", d?.DecidedBy.Value), ("decided_at", d?.DecidedAt.ToUniversalTime()),
                ("judge", step.Judge is null ? null : DataJson.Serialize(step.Judge)), ("generation_error", step.GenerationFailure),
                ("generation_attempt", step.GenerationAttempt), ("execution_attempt", step.ExecutionAttempt), ("revision", step.Revision)));

            var previous = before.Step?.Number == step.Number ? before.Step : null;
            WriteCandidates(batch, runId, step, previous);
            WriteVotes(batch, runId, step, previous);
        }

        foreach (var e in outcome.Events)
        {
            switch (e)
            {
                case StepDecided sd:
                    if (sd.StepNumber != after.Step?.Number)
                        batch.Add(MarkStepDecided, DecisionParameters(runId, sd));
                    batch.Add(InsertDecision, DecisionParameters(runId, sd));
                    break;
                case ObservationRecorded o:
                    batch.Add(InsertObservation, P(("run_id", runId), ("step_number", o.StepNumber), ("text", o.Observation.Text),
                        ("exit_code", o.Observation.ExitCode), ("duration_ms", (long?)o.Observation.Duration?.TotalMilliseconds),
                        ("truncated", o.Observation.Truncated), ("at", at)));
                    break;
            }
        }

        var answer = outcome.Events.OfType<RunFinished>().Select(f => f.Answer).LastOrDefault(a => a is not null);
        batch.Add(UpdateRun, P(("run_id", runId), ("status", DataJson.Name(after.Status)),
            ("paused_from", after.PausedFrom is RunStatus pf ? DataJson.Name(pf) : null), ("current_step", after.Step?.Number),
            ("answer", answer), ("at", at), ("last_seq", seqs.Length == 0 ? lastSeq : seqs[^1])));

        if (outcome.Work.Count > 0)
        {
            batch.Add(InsertWork, P(("kinds", outcome.Work.Select(w => WorkKinds.Of(w.GetType())).ToArray()),
                ("run_ids", outcome.Work.Select(w => w.RunId.Value).ToArray()), ("steps", outcome.Work.Select(w => w.StepNumber).ToArray()),
                ("keys", outcome.Work.Select(w => w.IdempotencyKey).ToArray()),
                ("payloads", outcome.Work.Select(w => DataJson.Serialize(w, w.GetType())).ToArray()), ("at", at)));
        }

        if (interactionId is not null)
        {
            batch.Add(InsertSeen, P(("interaction_id", interactionId), ("run_id", runId),
                ("command_type", command?.GetType().Name ?? "StartRun"), ("run_version", newVersion), ("at", at)));
        }
        return seqs.Length == 0 ? lastSeq : seqs[^1];
    }

    private static void WriteCandidates(SqlBatch batch, long runId, StepState step, StepState? previous)
    {
        var known = previous?.Candidates.Select(c => c.Number).ToHashSet() ?? [];
        var added = step.Candidates.Where(c => !known.Contains(c.Number)).ToList();
        if (added.Count == 0) return;
        batch.Add(InsertCandidates, P(("run_id", runId), ("step_number", step.Number),
            ("numbers", added.Select(c => c.Number).ToArray()),
            ("kinds", added.Select(c => DataJson.Name(c.Kind)).ToArray()),
            ("texts", added.Select(c => c.Text).ToArray()),
            ("rationales", added.Select(c => c.Rationale).ToArray()),
            ("sources", added.Select(c => DataJson.Name(c.Source)).ToArray()),
            ("authors", added.Select(c => c.Author.Value).ToArray()),
            ("created", added.Select(c => c.ProposedAt.UtcDateTime).ToArray())));
    }

    private static void WriteVotes(SqlBatch batch, long runId, StepState step, StepState? previous)
    {
        var before = previous?.Votes.ToDictionary(v => v.Voter) ?? [];
        var changed = step.Votes.Where(v => !before.TryGetValue(v.Voter, out var old) || old.CandidateNumber != v.CandidateNumber || old.CastAt != v.CastAt).ToList();
        var current = step.Votes.Select(v => v.Voter).ToHashSet();
        var removed = before.Keys.Where(k => !current.Contains(k)).Select(k => k.Value).ToArray();

        if (changed.Count > 0)
        {
            var voters = changed.Select(v => v.Voter.Value).ToArray();
            var candidates = changed.Select(v => v.CandidateNumber).ToArray();
            var cast = changed.Select(v => v.CastAt.UtcDateTime).ToArray();
            batch.Add(UpsertVotes, P(("run_id", runId), ("step_number", step.Number), ("voters", voters), ("candidates", candidates), ("cast", cast)));
            batch.Add(InsertVoteHistory, P(("run_id", runId), ("step_number", step.Number), ("voters", voters), ("candidates", candidates),
                ("previous", changed.Select(v => before.TryGetValue(v.Voter, out var old) ? old.CandidateNumber : (int?)null).ToArray()), ("cast", cast)));
        }
        if (removed.Length > 0)
            batch.Add(DeleteVotes, P(("run_id", runId), ("step_number", step.Number), ("voters", removed)));
    }

    private static Dictionary<string, object?> DecisionParameters(long runId, StepDecided sd) => P(
        ("run_id", runId), ("step_number", sd.StepNumber), ("candidate", sd.Decision.CandidateNumber),
        ("method", DataJson.Name(sd.Decision.Method)), ("decided_by", sd.Decision.DecidedBy.Value), ("decided_at", sd.Decision.DecidedAt.ToUniversalTime()));

    private static Dictionary<string, object?> P(params (string Name, object? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);
}
