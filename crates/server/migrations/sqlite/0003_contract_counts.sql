-- Per-client totals for the history's "N contracts", kept by triggers in the same transaction
-- as every insert, delete or end-date change: an unfiltered page no longer counts 10,000 index
-- entries per request. (Searches still count their matches.)
CREATE TABLE contract_counts (
    client_id INTEGER PRIMARY KEY REFERENCES users(id),
    active    INTEGER NOT NULL DEFAULT 0,
    ended     INTEGER NOT NULL DEFAULT 0
);

INSERT INTO contract_counts (client_id, active, ended)
SELECT client_id,
       SUM(sort_end = 9223372036854775807),
       SUM(sort_end < 9223372036854775807)
FROM contracts GROUP BY client_id;

CREATE TRIGGER contract_counts_insert AFTER INSERT ON contracts BEGIN
    INSERT INTO contract_counts (client_id) VALUES (NEW.client_id) ON CONFLICT DO NOTHING;
    UPDATE contract_counts
       SET active = active + (NEW.sort_end = 9223372036854775807),
           ended  = ended  + (NEW.sort_end < 9223372036854775807)
     WHERE client_id = NEW.client_id;
END;

CREATE TRIGGER contract_counts_delete AFTER DELETE ON contracts BEGIN
    UPDATE contract_counts
       SET active = active - (OLD.sort_end = 9223372036854775807),
           ended  = ended  - (OLD.sort_end < 9223372036854775807)
     WHERE client_id = OLD.client_id;
END;

CREATE TRIGGER contract_counts_update AFTER UPDATE OF sort_end, client_id ON contracts BEGIN
    UPDATE contract_counts
       SET active = active - (OLD.sort_end = 9223372036854775807),
           ended  = ended  - (OLD.sort_end < 9223372036854775807)
     WHERE client_id = OLD.client_id;
    INSERT INTO contract_counts (client_id) VALUES (NEW.client_id) ON CONFLICT DO NOTHING;
    UPDATE contract_counts
       SET active = active + (NEW.sort_end = 9223372036854775807),
           ended  = ended  + (NEW.sort_end < 9223372036854775807)
     WHERE client_id = NEW.client_id;
END;
