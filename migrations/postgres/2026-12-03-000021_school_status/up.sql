-- A school's standing (domain.md, "Schools that merge or close"): active, merged into a
-- successor, or closed, from a date. The record of a merged or closed school stays; from
-- `effective_on` it is read-only and leaves the peers, the rounds and the deadlines.
ALTER TABLE schools ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE schools ADD COLUMN successor_id BIGINT NULL REFERENCES schools (id);
ALTER TABLE schools ADD COLUMN effective_on DATE NULL;
ALTER TABLE schools ADD COLUMN status_reason TEXT NULL;
CREATE INDEX schools_status_idx ON schools (status);

-- What the province decided for each title of a merged or closed school: transferred to
-- the successor (the title then belongs to it and names where it came from), ended, or
-- kept as history.
ALTER TABLE school_titles ADD COLUMN settlement TEXT NULL;
ALTER TABLE school_titles ADD COLUMN transferred_from BIGINT NULL REFERENCES schools (id);
