-- Initial schema. Forward-only: later changes go in new numbered files, never edits here.

CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

CREATE TABLE runs (
    id                  bigserial PRIMARY KEY,
    parent_run_id       bigint REFERENCES runs (id),
    forked_from_step_id bigint,
    task_name           text NOT NULL CHECK (length(task_name) BETWEEN 1 AND 200),
    task_text           text NOT NULL DEFAULT '',
    model               text NOT NULL,
    mode                text NOT NULL CHECK (mode IN ('vote', 'hybrid', 'auto')),
    settings            jsonb NOT NULL,
    status              text NOT NULL CHECK (status IN ('generating_candidates', 'voting', 'executing', 'waiting_on_sub_run',
                                                        'paused', 'execution_interrupted', 'completed', 'failed', 'aborted')),
    paused_from         text CHECK (paused_from IN ('generating_candidates', 'voting', 'executing', 'waiting_on_sub_run',
                                                    'execution_interrupted')),
    current_step        integer CHECK (current_step > 0),
    answer              text,
    discord_thread_id   text,
    created_by          text NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    version             bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
    last_event_seq      bigint NOT NULL DEFAULT 0 CHECK (last_event_seq >= 0),
    CHECK (status <> 'paused' OR paused_from IS NOT NULL),
    CHECK (parent_run_id IS NULL OR parent_run_id <> id)
);
CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
CREATE INDEX runs_active ON runs (id) WHERE status NOT IN ('completed', 'failed', 'aborted');
CREATE UNIQUE INDEX runs_discord_thread ON runs (discord_thread_id) WHERE discord_thread_id IS NOT NULL;

CREATE TABLE steps (
    id                  bigserial PRIMARY KEY,
    run_id              bigint NOT NULL REFERENCES runs (id),
    number              integer NOT NULL CHECK (number > 0),
    opened_at           timestamptz NOT NULL,
    deadline            timestamptz,
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided', 'done')),
    decided_candidate   integer,
    decision_method     text CHECK (decision_method IN ('consensus', 'deadline_plurality', 'model_judge', 'researcher_override')),
    decided_by          text,
    decided_at          timestamptz,
    judge               jsonb,
    generation_error    text,
    generation_attempt  integer NOT NULL DEFAULT 1 CHECK (generation_attempt >= 1),
    execution_attempt   integer NOT NULL DEFAULT 1 CHECK (execution_attempt >= 1),
    revision            bigint NOT NULL DEFAULT 0 CHECK (revision >= 0),
    discord_message_id  text,
    UNIQUE (run_id, number),
    CHECK ((decided_candidate IS NULL) = (decision_method IS NULL)),
    CHECK ((decided_candidate IS NULL) = (decided_at IS NULL)),
    CHECK (status = 'open' OR decided_candidate IS NOT NULL)
);
ALTER TABLE runs ADD CONSTRAINT runs_forked_from_step FOREIGN KEY (forked_from_step_id) REFERENCES steps (id);

CREATE TABLE candidates (
    step_id     bigint NOT NULL REFERENCES steps (id),
    number      integer NOT NULL CHECK (number BETWEEN 1 AND 25),
    kind        text NOT NULL CHECK (kind IN ('bash', 'delegate', 'submit')),
    text        text NOT NULL CHECK (octet_length(text) BETWEEN 1 AND 16384),
    rationale   text,
    source      text NOT NULL CHECK (source IN ('model', 'contractor', 'researcher')),
    author      text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (step_id, number)
);
ALTER TABLE steps ADD CONSTRAINT steps_decided_candidate FOREIGN KEY (id, decided_candidate) REFERENCES candidates (step_id, number)
    DEFERRABLE INITIALLY DEFERRED;

-- The current vote: one row per voter per step; changing a vote updates it.
CREATE TABLE votes (
    step_id          bigint NOT NULL,
    voter            text NOT NULL,
    candidate_number integer NOT NULL,
    cast_at          timestamptz NOT NULL,
    PRIMARY KEY (step_id, voter),
    FOREIGN KEY (step_id, candidate_number) REFERENCES candidates (step_id, number)
);

CREATE TABLE vote_history (
    id                 bigserial PRIMARY KEY,
    step_id            bigint NOT NULL,
    voter              text NOT NULL,
    candidate_number   integer NOT NULL,
    previous_candidate integer,
    cast_at            timestamptz NOT NULL,
    FOREIGN KEY (step_id, candidate_number) REFERENCES candidates (step_id, number)
);
CREATE INDEX vote_history_step ON vote_history (step_id, voter, id);
CREATE TRIGGER vote_history_append_only BEFORE UPDATE OR DELETE ON vote_history FOR EACH ROW EXECUTE FUNCTION forbid_change();

CREATE TABLE decisions (
    step_id          bigint PRIMARY KEY REFERENCES steps (id),
    candidate_number integer NOT NULL,
    method           text NOT NULL CHECK (method IN ('consensus', 'deadline_plurality', 'model_judge', 'researcher_override')),
    decided_by       text NOT NULL,
    decided_at       timestamptz NOT NULL,
    FOREIGN KEY (step_id, candidate_number) REFERENCES candidates (step_id, number)
);

CREATE TABLE observations (
    id          bigserial PRIMARY KEY,
    step_id     bigint NOT NULL REFERENCES steps (id),
    text        text NOT NULL,
    stdout      text,
    stderr      text,
    exit_code   integer,
    duration_ms bigint CHECK (duration_ms >= 0),
    truncated   boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL
);
CREATE INDEX observations_step ON observations (step_id, id);

-- Ratings are append-only: the latest row per (candidate, rater) counts.
CREATE TABLE ratings (
    id               bigserial PRIMARY KEY,
    step_id          bigint NOT NULL,
    candidate_number integer NOT NULL,
    rater            text NOT NULL,
    value            smallint NOT NULL CHECK (value BETWEEN -2 AND 2),
    created_at       timestamptz NOT NULL,
    FOREIGN KEY (step_id, candidate_number) REFERENCES candidates (step_id, number)
);
CREATE INDEX ratings_latest ON ratings (step_id, candidate_number, rater, id DESC);
CREATE TRIGGER ratings_append_only BEFORE UPDATE OR DELETE ON ratings FOR EACH ROW EXECUTE FUNCTION forbid_change();

CREATE TABLE tags (
    id               bigserial PRIMARY KEY,
    step_id          bigint NOT NULL REFERENCES steps (id),
    candidate_number integer,
    tag              text NOT NULL CHECK (tag ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    note             text CHECK (length(note) <= 2000),
    actor            text NOT NULL,
    created_at       timestamptz NOT NULL,
    FOREIGN KEY (step_id, candidate_number) REFERENCES candidates (step_id, number)
);
CREATE INDEX tags_step ON tags (step_id);
CREATE TRIGGER tags_append_only BEFORE UPDATE OR DELETE ON tags FOR EACH ROW EXECUTE FUNCTION forbid_change();

CREATE TABLE comments (
    id          bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES runs (id),
    step_id     bigint REFERENCES steps (id),
    author      text NOT NULL,
    text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    created_at  timestamptz NOT NULL
);
CREATE INDEX comments_run ON comments (run_id, id);
CREATE TRIGGER comments_append_only BEFORE UPDATE OR DELETE ON comments FOR EACH ROW EXECUTE FUNCTION forbid_change();

CREATE TABLE model_calls (
    id                bigserial PRIMARY KEY,
    run_id            bigint NOT NULL REFERENCES runs (id),
    step_number       integer,
    purpose           text NOT NULL,
    model             text NOT NULL,
    prompt_tokens     integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    latency_ms        bigint NOT NULL DEFAULT 0 CHECK (latency_ms >= 0),
    idempotency_key   text NOT NULL UNIQUE,
    result            jsonb,
    created_at        timestamptz NOT NULL
);
CREATE INDEX model_calls_run ON model_calls (run_id, step_number);

-- Audit log: every accepted command (type 'command:<Name>') followed by the events it produced.
CREATE TABLE run_events (
    run_id         bigint NOT NULL REFERENCES runs (id),
    seq            bigint NOT NULL CHECK (seq > 0),
    type           text NOT NULL,
    payload        jsonb NOT NULL,
    actor          text NOT NULL,
    at             timestamptz NOT NULL,
    interaction_id text,
    PRIMARY KEY (run_id, seq)
);
CREATE TRIGGER run_events_append_only BEFORE UPDATE OR DELETE ON run_events FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- A Discord interaction (or any caller-chosen id) is handled at most once.
CREATE TABLE interactions_seen (
    interaction_id text PRIMARY KEY,
    run_id         bigint NOT NULL REFERENCES runs (id),
    command_type   text NOT NULL,
    run_version    bigint NOT NULL,
    seen_at        timestamptz NOT NULL
);

CREATE TABLE work_items (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL,
    run_id          bigint REFERENCES runs (id),
    step_number     integer,
    idempotency_key text NOT NULL UNIQUE,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'dead', 'interrupted')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    locked_by       text,
    locked_at       timestamptz,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL,
    completed_at    timestamptz,
    CHECK ((status = 'running') = (locked_until IS NOT NULL))
);
CREATE INDEX work_items_due ON work_items (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX work_items_running ON work_items (locked_until) WHERE status = 'running';
CREATE INDEX work_items_dead ON work_items (id) WHERE status IN ('dead', 'interrupted');

-- No NOTIFY trigger here: a notifying transaction holds a global lock through its commit, which
-- would serialize every vote's commit. Engine work wakes the local worker in-process; other
-- processes poll (WorkQueue:PollInterval), and WorkQueue.EnqueueAsync notifies explicitly.
