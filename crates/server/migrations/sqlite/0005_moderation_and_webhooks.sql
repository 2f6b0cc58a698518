-- Moderation: who may moderate, what was removed, and every status a report or a removal
-- request has had (the client sees it as a timeline).
CREATE TABLE moderators (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE
);
ALTER TABLE received_feedback ADD COLUMN removed_at INTEGER;
ALTER TABLE given_feedback ADD COLUMN removed_at INTEGER;
CREATE TABLE status_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    subject     TEXT NOT NULL,               -- 'report' or 'removal'
    feedback_id INTEGER NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT,                        -- NULL for the client's own first entry
    at          INTEGER NOT NULL
);
CREATE INDEX status_changes_of ON status_changes (subject, feedback_id, id);
INSERT INTO status_changes (subject, feedback_id, status, at)
    SELECT 'report', feedback_id, status, created_at FROM reports;
INSERT INTO status_changes (subject, feedback_id, status, at)
    SELECT 'removal', feedback_id, status, created_at FROM removal_requests;

-- Webhooks: the transactional outbox. An event is written by the transaction that makes the
-- change it describes; delivery workers lease due rows, send them, and mark them delivered.
-- AUTOINCREMENT: an id (the event id receivers de-duplicate by) is never reused.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    type            TEXT NOT NULL,
    data            TEXT NOT NULL,           -- the event's `data`, JSON
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,        -- also the lease: a worker pushes it past its send
    delivered_at    INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;

-- A reminder is sent once per feedback and moment, however many instances look for it.
CREATE TABLE reminders (
    feedback_id INTEGER NOT NULL REFERENCES received_feedback(id),
    days_before INTEGER NOT NULL,
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (feedback_id, days_before)
);
-- The reminder scan reads contracts that ended in a time range.
CREATE INDEX contracts_ended ON contracts (ended_at) WHERE ended_at IS NOT NULL;
