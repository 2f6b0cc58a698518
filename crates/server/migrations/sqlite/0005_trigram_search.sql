-- Substring search from a trigram index (FTS5, external content: the text stays in
-- `contracts.search_text`) instead of testing every one of the client's rows. Kept in step by
-- triggers, in the same transaction as the change.
CREATE VIRTUAL TABLE contracts_search USING fts5(
    search_text, content = 'contracts', content_rowid = 'id', tokenize = 'trigram', detail = none
);
INSERT INTO contracts_search (contracts_search) VALUES ('rebuild');

CREATE TRIGGER contracts_search_insert AFTER INSERT ON contracts BEGIN
    INSERT INTO contracts_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;

CREATE TRIGGER contracts_search_delete AFTER DELETE ON contracts BEGIN
    INSERT INTO contracts_search (contracts_search, rowid, search_text)
    VALUES ('delete', OLD.id, OLD.search_text);
END;

CREATE TRIGGER contracts_search_update AFTER UPDATE OF search_text ON contracts BEGIN
    INSERT INTO contracts_search (contracts_search, rowid, search_text)
    VALUES ('delete', OLD.id, OLD.search_text);
    INSERT INTO contracts_search (rowid, search_text) VALUES (NEW.id, NEW.search_text);
END;
