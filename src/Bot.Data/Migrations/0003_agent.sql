-- What the agent loop stores besides engine state: full execution output, researcher nudges and
-- stuck-check reflections (interventions), and the final score of a run.

-- One row per execution attempt, written before ExecutionFinished is sent, so a retried work
-- item reuses the stored result instead of running the command again.
CREATE TABLE executions (
    id              bigserial PRIMARY KEY,
    run_id          bigint NOT NULL REFERENCES runs (id),
    step_number     integer NOT NULL CHECK (step_number > 0),
    idempotency_key text NOT NULL UNIQUE,
    command         text NOT NULL,
    stdout          text NOT NULL,
    stderr          text NOT NULL,
    exit_code       integer NOT NULL,
    duration_ms     bigint NOT NULL CHECK (duration_ms >= 0),
    timed_out       boolean NOT NULL,
    output_truncated boolean NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX executions_run ON executions (run_id, step_number);

CREATE TABLE interventions (
    id          bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES runs (id),
    step_number integer,
    kind        text NOT NULL CHECK (kind IN ('nudge', 'reflection')),
    text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    actor       text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX interventions_run ON interventions (run_id, id);
CREATE TRIGGER interventions_append_only BEFORE UPDATE OR DELETE ON interventions FOR EACH ROW EXECUTE FUNCTION forbid_change();

CREATE TABLE run_scores (
    run_id    bigint PRIMARY KEY REFERENCES runs (id),
    passed    boolean NOT NULL,
    detail    text NOT NULL,
    scored_at timestamptz NOT NULL
);
