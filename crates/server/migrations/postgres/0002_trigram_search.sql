-- Substring search ("pitch deck" anywhere in title or freelancer) from a trigram index rather
-- than a scan of the client's rows. pg_trgm is a trusted extension (PostgreSQL 13+): the
-- database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX contracts_search ON contracts USING gin (search_text gin_trgm_ops);
