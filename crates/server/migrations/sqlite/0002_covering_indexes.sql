-- History queries filter on status (sort_end = max ⇔ active) and search text, sort by end date
-- or title, and page with OFFSET. With these columns in the indexes, the count and the page's
-- id list are answered from the index alone; only the 20–100 rows shown are read from the table.
DROP INDEX contracts_by_end;
DROP INDEX contracts_by_title;
CREATE INDEX contracts_by_end   ON contracts(client_id, sort_end, id, search_text);
CREATE INDEX contracts_by_title ON contracts(client_id, title_key, id, sort_end, search_text);
