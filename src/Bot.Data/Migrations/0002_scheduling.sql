-- Scheduled work (Quartz jobs in Bot.Host/Scheduling). Numbered well above the core schema's
-- migrations so the two lines of work never collide.

-- A reminder pings the contractor role once per step; the column makes "once" survive restarts
-- and holds across clustered nodes (claimed with a conditional UPDATE).
ALTER TABLE steps ADD COLUMN reminded_at timestamptz;
CREATE INDEX steps_waiting_for_reminder ON steps (opened_at) WHERE status = 'open' AND reminded_at IS NULL;
CREATE INDEX steps_open_deadline ON steps (deadline) WHERE status = 'open' AND deadline IS NOT NULL;

-- Scheduled digests posted, so a double fire or a catch-up after downtime never posts the same
-- period twice, and the next digest starts where the last one ended.
CREATE TABLE digests (
    id           bigserial PRIMARY KEY,
    period_start timestamptz NOT NULL,
    period_end   timestamptz NOT NULL UNIQUE,
    claimed_by   text NOT NULL,
    claimed_at   timestamptz NOT NULL,
    message_id   text,
    posted_at    timestamptz,
    CHECK (period_start < period_end)
);
