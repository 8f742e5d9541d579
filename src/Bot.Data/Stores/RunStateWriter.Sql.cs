namespace Bot.Data.Stores;

internal sealed partial class RunStateWriter
{
    private const string InsertEvents = """
        INSERT INTO run_events (run_id, seq, type, payload, actor, at, interaction_id)
        SELECT e.run_id, e.seq, e.type, e.payload::jsonb, e.actor, @at, e.interaction_id
        FROM unnest(@e_runs::bigint[], @e_seqs::bigint[], @e_types::text[], @e_payloads::text[], @e_actors::text[], @e_interactions::text[])
             AS e(run_id, seq, type, payload, actor, interaction_id)
        """;

    // 'done' is only ever set by an observation; a later state write must not undo it. The
    // decision itself is stored once, in `decisions`, from the StepDecided event.
    private const string UpsertSteps = """
        INSERT INTO steps (run_id, number, opened_at, deadline, status, judge, generation_error, generation_attempt, execution_attempt, revision)
        SELECT s.run_id, s.number, s.opened_at, s.deadline, s.status, s.judge::jsonb, s.generation_error, s.generation_attempt, s.execution_attempt, s.revision
        FROM unnest(@s_runs::bigint[], @s_numbers::int[], @s_opened::timestamptz[], @s_deadlines::timestamptz[], @s_statuses::text[],
                    @s_judges::text[], @s_gen_errors::text[], @s_gen_attempts::int[], @s_exec_attempts::int[], @s_revisions::bigint[])
             AS s(run_id, number, opened_at, deadline, status, judge, generation_error, generation_attempt, execution_attempt, revision)
        ON CONFLICT (run_id, number) DO UPDATE SET
            deadline = EXCLUDED.deadline,
            status = CASE WHEN steps.status = 'done' THEN 'done' ELSE EXCLUDED.status END,
            judge = EXCLUDED.judge, generation_error = EXCLUDED.generation_error,
            generation_attempt = EXCLUDED.generation_attempt, execution_attempt = EXCLUDED.execution_attempt,
            revision = EXCLUDED.revision
        """;

    private const string InsertCandidates = """
        INSERT INTO candidates (step_id, number, kind, text, rationale, source, author, created_at)
        SELECT s.id, c.number, c.kind, c.text, c.rationale, c.source, c.author, c.created_at
        FROM unnest(@c_runs::bigint[], @c_steps::int[], @c_numbers::int[], @c_kinds::text[], @c_texts::text[], @c_rationales::text[],
                    @c_sources::text[], @c_authors::text[], @c_created::timestamptz[])
             AS c(run_id, step_number, number, kind, text, rationale, source, author, created_at)
        JOIN steps s ON s.run_id = c.run_id AND s.number = c.step_number
        """;

    private const string DeleteVotes = """
        DELETE FROM votes v USING steps s, unnest(@d_runs::bigint[], @d_steps::int[], @d_voters::text[]) AS d(run_id, step_number, voter)
        WHERE s.run_id = d.run_id AND s.number = d.step_number AND v.step_id = s.id AND v.voter = d.voter
        """;

    private const string UpsertVotes = """
        INSERT INTO votes (step_id, voter, candidate_number, cast_at)
        SELECT s.id, v.voter, v.candidate_number, v.cast_at
        FROM unnest(@v_runs::bigint[], @v_steps::int[], @v_voters::text[], @v_candidates::int[], @v_cast::timestamptz[])
             AS v(run_id, step_number, voter, candidate_number, cast_at)
        JOIN steps s ON s.run_id = v.run_id AND s.number = v.step_number
        ON CONFLICT (step_id, voter) DO UPDATE SET candidate_number = EXCLUDED.candidate_number, cast_at = EXCLUDED.cast_at
        """;

    private const string InsertVoteHistory = """
        INSERT INTO vote_history (step_id, voter, candidate_number, previous_candidate, cast_at)
        SELECT s.id, h.voter, h.candidate_number, h.previous, h.cast_at
        FROM unnest(@h_runs::bigint[], @h_steps::int[], @h_voters::text[], @h_candidates::int[], @h_previous::int[], @h_cast::timestamptz[])
             WITH ORDINALITY AS h(run_id, step_number, voter, candidate_number, previous, cast_at, ord)
        JOIN steps s ON s.run_id = h.run_id AND s.number = h.step_number
        ORDER BY h.ord
        """;

    private const string MarkStepsDecided = """
        UPDATE steps s SET status = CASE WHEN s.status = 'done' THEN 'done' ELSE 'decided' END
        FROM unnest(@o_runs::bigint[], @o_steps::int[]) AS o(run_id, step_number)
        WHERE s.run_id = o.run_id AND s.number = o.step_number
        """;

    private const string InsertDecisions = """
        INSERT INTO decisions (step_id, candidate_number, method, decided_by, decided_at)
        SELECT s.id, x.candidate, x.method, x.decider, x.decided_at
        FROM unnest(@x_runs::bigint[], @x_steps::int[], @x_candidates::int[], @x_methods::text[], @x_deciders::text[], @x_decided_at::timestamptz[])
             AS x(run_id, step_number, candidate, method, decider, decided_at)
        JOIN steps s ON s.run_id = x.run_id AND s.number = x.step_number
        """;

    private const string InsertObservations = """
        INSERT INTO observations (step_id, text, exit_code, duration_ms, truncated, created_at)
        SELECT s.id, o.text, o.exit_code, o.duration_ms, o.truncated, @at
        FROM unnest(@ob_runs::bigint[], @ob_steps::int[], @ob_texts::text[], @ob_exit_codes::int[], @ob_durations::bigint[], @ob_truncated::boolean[])
             WITH ORDINALITY AS o(run_id, step_number, text, exit_code, duration_ms, truncated, ord)
        JOIN steps s ON s.run_id = o.run_id AND s.number = o.step_number
        ORDER BY o.ord
        """;

    private const string MarkStepsDone = """
        UPDATE steps s SET status = 'done'
        FROM unnest(@ob_runs::bigint[], @ob_steps::int[]) AS o(run_id, step_number)
        WHERE s.run_id = o.run_id AND s.number = o.step_number
        """;

    // A run that ends leaves no step open: nothing can decide it any more, and the digest must not call it stuck.
    private const string CloseStepsOfEndedRuns = """
        UPDATE steps SET status = 'closed' WHERE run_id = ANY(@ended_runs) AND status = 'open'
        """;

    private const string UpdateRuns = """
        UPDATE runs r SET status = u.status, paused_from = u.paused_from, current_step = u.current_step,
                          answer = COALESCE(u.answer, r.answer), updated_at = @at, version = r.version + u.commands, last_event_seq = u.last_seq
        FROM unnest(@r_ids::bigint[], @r_statuses::text[], @r_paused_from::text[], @r_current_steps::int[], @r_answers::text[],
                    @r_last_seqs::bigint[], @r_commands::int[])
             AS u(id, status, paused_from, current_step, answer, last_seq, commands)
        WHERE r.id = u.id
        """;

    // A render shows the step as it is when it runs, so a render still pending for the step (one no
    // worker took yet) already covers this batch's: it is locked here, so a worker cannot take it
    // and read the step before this commit; one a worker is running does not count. A burst of votes
    // then writes one render item per step instead of one per batch plus an update of the previous
    // one (measured: WAL per vote and commit wait, docs/benchmarks.md).
    private const string InsertWork = """
        INSERT INTO work_items (kind, run_id, step_number, idempotency_key, payload, next_attempt_at, created_at)
        SELECT w.kind, w.run_id, w.step_number, w.key, w.payload::jsonb, @at, @at
        FROM unnest(@w_kinds::text[], @w_runs::bigint[], @w_steps::int[], @w_keys::text[], @w_payloads::text[]) AS w(kind, run_id, step_number, key, payload)
        WHERE w.kind <> @render_kind OR NOT EXISTS (
            SELECT 1 FROM work_items p
            WHERE p.status = 'pending' AND p.kind = @render_kind AND p.run_id = w.run_id AND p.step_number = w.step_number
            FOR UPDATE)
        ON CONFLICT (idempotency_key) DO NOTHING
        """;

    private const string InsertSeen = """
        INSERT INTO interactions_seen (interaction_id, run_id, command_type, run_version, seen_at)
        SELECT i.id, i.run_id, i.type, i.version, @at
        FROM unnest(@i_ids::text[], @i_runs::bigint[], @i_types::text[], @i_versions::bigint[]) AS i(id, run_id, type, version)
        """;
}
