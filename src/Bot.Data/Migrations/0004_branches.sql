-- Forks and restarts are branches, not sub-runs: they had parent_run_id set (/run fork) and so
-- counted against the origin's delegation limits, went unscored, and could answer the origin's
-- pending delegation. A sub-run now records the step that delegated to it (parent_step), and the
-- engine accepts an answer only from that child.

ALTER TABLE runs ADD COLUMN branch_kind text CHECK (branch_kind IN ('fork', 'restart'));
ALTER TABLE runs ADD COLUMN parent_step integer CHECK (parent_step > 0);
ALTER TABLE runs ADD COLUMN tags text[] NOT NULL DEFAULT '{}';

-- Existing branches: those with a parent were /run fork, those without were automatic restarts.
UPDATE runs SET branch_kind = CASE WHEN parent_run_id IS NULL THEN 'restart' ELSE 'fork' END
WHERE forked_from_step_id IS NOT NULL;
UPDATE runs SET parent_run_id = NULL WHERE forked_from_step_id IS NOT NULL;

-- Existing sub-runs: the delegating step is named by the start request's id (subrun:{parent}:{step});
-- failing that, the parent's last step opened before the child was created.
UPDATE runs c SET parent_step = COALESCE(
    (SELECT split_part(i.interaction_id, ':', 3)::int FROM interactions_seen i
     WHERE i.run_id = c.id AND i.interaction_id LIKE 'subrun:%' LIMIT 1),
    (SELECT max(s.number) FROM steps s WHERE s.run_id = c.parent_run_id AND s.opened_at <= c.created_at),
    1)
WHERE c.parent_run_id IS NOT NULL;

ALTER TABLE runs ADD CONSTRAINT runs_branch_kind CHECK ((branch_kind IS NULL) = (forked_from_step_id IS NULL));
ALTER TABLE runs ADD CONSTRAINT runs_sub_run_or_branch CHECK (parent_run_id IS NULL OR forked_from_step_id IS NULL);
ALTER TABLE runs ADD CONSTRAINT runs_parent_step CHECK ((parent_run_id IS NULL) = (parent_step IS NULL));
CREATE INDEX runs_forked_from ON runs (forked_from_step_id) WHERE forked_from_step_id IS NOT NULL;

-- A step of an ended run is closed (it can no longer be decided); before, an aborted run's step
-- stayed open for ever and the digest flagged it as stuck every day.
ALTER TABLE steps DROP CONSTRAINT steps_status_check;
ALTER TABLE steps DROP CONSTRAINT steps_check2;
ALTER TABLE steps ADD CONSTRAINT steps_status_check CHECK (status IN ('open', 'decided', 'done', 'closed'));
ALTER TABLE steps ADD CONSTRAINT steps_open_or_decided CHECK (status IN ('open', 'closed') OR decided_candidate IS NOT NULL);
UPDATE steps s SET status = 'closed' FROM runs r
WHERE r.id = s.run_id AND s.status = 'open' AND r.status IN ('completed', 'failed', 'aborted');

-- Never written: a command's full output lives in executions.
ALTER TABLE observations DROP COLUMN stdout;
ALTER TABLE observations DROP COLUMN stderr;
