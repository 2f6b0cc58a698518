-- The same model as the SQLite schema (migrations/sqlite/), in PostgreSQL's own types:
-- times are timestamptz (kept to the millisecond by the server), ids bigint identities.
CREATE TABLE users (
    id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE
);

CREATE TABLE contracts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id       BIGINT NOT NULL REFERENCES users(id),
    title           TEXT NOT NULL,
    freelancer_name TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    started_at      TIMESTAMPTZ NOT NULL,
    ended_at        TIMESTAMPTZ,                 -- NULL while active
    -- Derived columns, kept by the writer, so sorting and search use indexes without functions.
    sort_end        TIMESTAMPTZ NOT NULL,        -- ended_at, or 'infinity' while active
    title_key       TEXT COLLATE "C" NOT NULL,   -- lower(title); "C": the same order as SQLite
    search_text     TEXT NOT NULL,               -- lower(title || ' ' || freelancer_name)
    seed_key        TEXT UNIQUE                  -- set by the demo seed, for idempotent seeding
);
-- Pages are picked from these alone (index-only scans); only the rows shown are joined.
CREATE INDEX contracts_by_end   ON contracts (client_id, sort_end, id);
CREATE INDEX contracts_by_title ON contracts (client_id, title_key, id) INCLUDE (sort_end);

CREATE TABLE received_feedback (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contract_id BIGINT NOT NULL UNIQUE REFERENCES contracts(id),
    rating      DOUBLE PRECISION NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);

-- One response per feedback, enforced by the primary key as well as by the row lock.
CREATE TABLE responses (
    feedback_id BIGINT PRIMARY KEY REFERENCES received_feedback(id),
    text        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE reports (
    feedback_id BIGINT PRIMARY KEY REFERENCES received_feedback(id),
    category    TEXT NOT NULL,
    description TEXT NOT NULL,
    evidence    TEXT NOT NULL,                   -- JSON array of URLs
    status      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE given_feedback (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contract_id BIGINT NOT NULL UNIQUE REFERENCES contracts(id),
    author_id   BIGINT NOT NULL REFERENCES users(id),
    rating      DOUBLE PRECISION NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE removal_requests (
    feedback_id BIGINT PRIMARY KEY REFERENCES given_feedback(id),
    status      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Results of POSTs by Idempotency-Key. The key is claimed (INSERT … ON CONFLICT) in the same
-- transaction as the effect; a concurrent request with the same key waits on that row.
CREATE TABLE idempotency (
    user_id    BIGINT NOT NULL REFERENCES users(id),
    key        TEXT NOT NULL,
    request    TEXT NOT NULL,
    status     INTEGER NOT NULL,
    response   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_created ON idempotency (created_at);

-- Per-client totals for the history's "N contracts", kept in the writing transaction.
CREATE TABLE contract_counts (
    client_id BIGINT PRIMARY KEY REFERENCES users(id),
    active    BIGINT NOT NULL DEFAULT 0,
    ended     BIGINT NOT NULL DEFAULT 0
);

CREATE FUNCTION contract_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE contract_counts
           SET active = active - (OLD.ended_at IS NULL)::int,
               ended  = ended  - (OLD.ended_at IS NOT NULL)::int
         WHERE client_id = OLD.client_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO contract_counts AS cc (client_id, active, ended)
        VALUES (NEW.client_id, (NEW.ended_at IS NULL)::int, (NEW.ended_at IS NOT NULL)::int)
        ON CONFLICT (client_id) DO UPDATE
           SET active = cc.active + EXCLUDED.active, ended = cc.ended + EXCLUDED.ended;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER contract_counts_change AFTER INSERT OR DELETE OR UPDATE OF ended_at, client_id
    ON contracts FOR EACH ROW EXECUTE FUNCTION contract_counts_change();

-- Write budgets shared by every instance (GCRA: one "theoretical arrival time" per caller).
CREATE TABLE rate_limits (
    caller TEXT PRIMARY KEY,                    -- user:<id> or addr:<ip>
    tat    TIMESTAMPTZ NOT NULL,
    taken  BOOLEAN NOT NULL                     -- the verdict on the caller's last request
);
