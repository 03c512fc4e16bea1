-- What the province-wide pages read, kept up to date by the writes instead of computed on
-- every request (issue 12, docs/performance.md).
--
-- Every deadline of every school, one row each: written by `store::derived` in the
-- transaction of the change that moves it, read one page at a time by due date. Whether one
-- is overdue is decided when it is read (by the date of that day), so nothing here ages.
CREATE TABLE deadline_items (
    id INTEGER PRIMARY KEY NOT NULL,
    school_id BIGINT NOT NULL REFERENCES schools (id),
    province_id BIGINT NOT NULL REFERENCES provinces (id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    due_on DATE NOT NULL,
    uid TEXT NOT NULL
);
CREATE INDEX deadline_items_province_due_idx ON deadline_items (province_id, due_on, id);
CREATE INDEX deadline_items_school_due_idx ON deadline_items (school_id, due_on, id);
CREATE INDEX deadline_items_due_idx ON deadline_items (due_on, id);

-- The version of each province's recorded facts that the peer comparison is computed from:
-- raised by every write that changes one, so that a comparison computed once serves every
-- school of the province, on every server, until the next such write.
ALTER TABLE provinces ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;

-- Which version of the code last rebuilt a kept table; a newer one rebuilds it at start-up
-- (the deadlines of the records already here are written then, not by this migration).
CREATE TABLE derived_state (
    name TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL
);
INSERT INTO derived_state (name, version) VALUES ('deadline_items', 0);
