-- What the province-wide pages read, kept up to date by the writes instead of computed on
-- every request (issue 12, docs/performance.md).
--
-- Every deadline of every school, one row each (with the school's names, so that a page is
-- read without a join): written by `store::derived` in the transaction of the change that
-- moves it, read one page at a time by due date. Whether one is overdue is decided when it
-- is read (by the date of that day), so nothing here ages.
CREATE TABLE deadline_items (
    id INTEGER PRIMARY KEY NOT NULL,
    school_id BIGINT NOT NULL REFERENCES schools (id),
    province_id BIGINT NOT NULL REFERENCES provinces (id),
    school_name TEXT NOT NULL,
    school_name_zh TEXT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    due_on DATE NOT NULL,
    uid TEXT NOT NULL
);
-- A province's page is read from this index alone (it holds every column a page shows).
CREATE INDEX deadline_items_province_due_idx ON deadline_items (province_id, due_on, id,
    school_id, school_name, school_name_zh, kind, subject, uid);
CREATE INDEX deadline_items_school_due_idx ON deadline_items (school_id, due_on, id);
CREATE INDEX deadline_items_due_idx ON deadline_items (due_on, id);

-- The version of each province's recorded facts that the peer comparison is computed from:
-- raised by every write that changes one, so that a comparison computed once serves every
-- school of the province, on every server, until the next such write.
ALTER TABLE provinces ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;
-- The same for what a collection round shows of each school (figures entered, submitted,
-- accepted): raised by every write to the year's status data, its submissions and rounds.
ALTER TABLE provinces ADD COLUMN round_version BIGINT NOT NULL DEFAULT 0;

-- Which version of the code last rebuilt a kept table; a newer one rebuilds it at start-up
-- (the deadlines of the records already here are written then, not by this migration).
CREATE TABLE derived_state (
    name TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL
);
INSERT INTO derived_state (name, version) VALUES ('deadline_items', 0);

-- Each submission's province (a school never moves), so that a province's queue is one
-- range of an index instead of a probe per school; and how many submissions each province
-- has in each state, kept by the writes that move one (`store::derived`), for the counts
-- that the queue and the home pages show.
ALTER TABLE submissions ADD COLUMN province_id BIGINT;
UPDATE submissions SET province_id = (SELECT s.province_id FROM schools s WHERE s.id = submissions.school_id);
CREATE INDEX submissions_province_queue_idx ON submissions (province_id, status, submitted_at, id);
CREATE INDEX submissions_province_status_idx ON submissions (province_id, status, id);
CREATE TABLE submission_tallies (
    province_id BIGINT NOT NULL REFERENCES provinces (id),
    status TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (province_id, status)
);
INSERT INTO submission_tallies (province_id, status, n)
SELECT province_id, status, COUNT(*) FROM submissions GROUP BY province_id, status;
