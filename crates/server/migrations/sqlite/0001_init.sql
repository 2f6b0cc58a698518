-- Times are INTEGER milliseconds since the Unix epoch (UTC): exact comparisons, cheap indexes.
CREATE TABLE users (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE
);

CREATE TABLE contracts (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES users(id),
    title           TEXT NOT NULL,
    freelancer_name TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER,                 -- NULL while active
    -- Derived columns, kept by the writer, so sorting and search use indexes without functions.
    sort_end        INTEGER NOT NULL,        -- ended_at, or the largest integer while active
    title_key       TEXT NOT NULL,           -- lower(title)
    search_text     TEXT NOT NULL,           -- lower(title || ' ' || freelancer_name)
    seed_key        TEXT UNIQUE              -- set by the demo seed, for idempotent seeding
);
CREATE INDEX contracts_by_end   ON contracts(client_id, sort_end, id);
CREATE INDEX contracts_by_title ON contracts(client_id, title_key, id);

CREATE TABLE received_feedback (
    id          INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL UNIQUE REFERENCES contracts(id),
    rating      REAL NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT,
    created_at  INTEGER NOT NULL
);

-- One response per feedback, enforced by the primary key as well as by the handler.
CREATE TABLE responses (
    feedback_id INTEGER PRIMARY KEY REFERENCES received_feedback(id),
    text        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE reports (
    feedback_id INTEGER PRIMARY KEY REFERENCES received_feedback(id),
    category    TEXT NOT NULL,
    description TEXT NOT NULL,
    evidence    TEXT NOT NULL,               -- JSON array of URLs
    status      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE given_feedback (
    id          INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL UNIQUE REFERENCES contracts(id),
    author_id   INTEGER NOT NULL REFERENCES users(id),
    rating      REAL NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT,
    created_at  INTEGER NOT NULL
);

CREATE TABLE removal_requests (
    feedback_id INTEGER PRIMARY KEY REFERENCES given_feedback(id),
    status      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Results of POSTs by Idempotency-Key, written in the same transaction as the effect.
CREATE TABLE idempotency (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    key        TEXT NOT NULL,
    request    TEXT NOT NULL,                -- method, path and canonical body
    status     INTEGER NOT NULL,
    response   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);
