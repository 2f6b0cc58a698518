-- Freelancers get an id of their own, so their public work history has an address. The reference
-- data knew freelancers by name only: one freelancer per distinct name (a marketplace has its
-- own ids; see docs/api.md).
CREATE TABLE freelancers (
    id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
INSERT INTO freelancers (name) SELECT DISTINCT freelancer_name FROM contracts ORDER BY freelancer_name;
ALTER TABLE contracts ADD COLUMN freelancer_id BIGINT REFERENCES freelancers(id);
UPDATE contracts c SET freelancer_id = f.id FROM freelancers f WHERE f.name = c.freelancer_name;
-- The work history: a freelancer's ended contracts, newest first.
CREATE INDEX contracts_by_freelancer ON contracts (freelancer_id, sort_end, id);
