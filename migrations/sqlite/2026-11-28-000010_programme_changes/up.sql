-- A programme can be changed (with a version against lost updates) and closed.
ALTER TABLE programmes ADD COLUMN closed_on DATE;
ALTER TABLE programmes ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
