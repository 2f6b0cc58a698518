-- Moderation and webhooks: the same model as migrations/sqlite/0005, in PostgreSQL's types.
CREATE TABLE moderators (
    id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE
);
ALTER TABLE received_feedback ADD COLUMN removed_at TIMESTAMPTZ;
ALTER TABLE given_feedback ADD COLUMN removed_at TIMESTAMPTZ;
CREATE TABLE status_changes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject     TEXT NOT NULL,               -- 'report' or 'removal'
    feedback_id BIGINT NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX status_changes_of ON status_changes (subject, feedback_id, id);
INSERT INTO status_changes (subject, feedback_id, status, at)
    SELECT 'report', feedback_id, status, created_at FROM reports;
INSERT INTO status_changes (subject, feedback_id, status, at)
    SELECT 'removal', feedback_id, status, created_at FROM removal_requests;

-- Identity ids are never reused: the event id receivers de-duplicate by.
CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type            TEXT NOT NULL,
    data            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,    -- also the lease: a worker pushes it past its send
    delivered_at    TIMESTAMPTZ,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;

CREATE TABLE reminders (
    feedback_id BIGINT NOT NULL REFERENCES received_feedback(id),
    days_before INTEGER NOT NULL,
    sent_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (feedback_id, days_before)
);
CREATE INDEX contracts_ended ON contracts (ended_at) WHERE ended_at IS NOT NULL;
