-- Issue 11: gold steps (calibration) and contractors' accuracy on them.

-- A researcher's answer for a decided step: the candidate that is right, whatever was decided.
-- One current answer per step; re-marking replaces it, unmarking deletes it, and every change is
-- kept in gold_step_history (correct_candidate NULL: unmarked).
CREATE TABLE gold_steps (
    step_id           bigint PRIMARY KEY REFERENCES steps (id),
    correct_candidate integer NOT NULL,
    marked_by         text NOT NULL,
    marked_at         timestamptz NOT NULL,
    FOREIGN KEY (step_id, correct_candidate) REFERENCES candidates (step_id, number)
);

CREATE TABLE gold_step_history (
    id                bigserial PRIMARY KEY,
    step_id           bigint NOT NULL REFERENCES steps (id),
    correct_candidate integer,
    marked_by         text NOT NULL,
    marked_at         timestamptz NOT NULL
);
CREATE TRIGGER gold_step_history_append_only BEFORE UPDATE OR DELETE ON gold_step_history FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- A gold step shown again to contractors as if it were live. after_live_steps is how many live
-- step messages had been posted when it was planned: unique, so two processes planning after the
-- same live step insert one post between them. message is the chat reference (first writer wins)
-- and posted_at when it was stored: answers are taken for the original run's voting window from then.
CREATE TABLE calibration_posts (
    id               bigserial PRIMARY KEY,
    step_id          bigint NOT NULL REFERENCES steps (id),
    after_live_steps bigint NOT NULL UNIQUE CHECK (after_live_steps > 0),
    created_at       timestamptz NOT NULL,
    message          text,
    posted_at        timestamptz,
    CHECK ((message IS NULL) = (posted_at IS NULL))
);
CREATE INDEX calibration_posts_step ON calibration_posts (step_id);

-- A person's answer on a calibration post; the latest counts (an answer replaces the previous one).
CREATE TABLE calibration_answers (
    post_id     bigint NOT NULL REFERENCES calibration_posts (id),
    person      text NOT NULL,
    candidate   integer NOT NULL CHECK (candidate >= 1),
    answered_at timestamptz NOT NULL,
    PRIMARY KEY (post_id, person)
);
