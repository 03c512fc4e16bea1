-- A school's standing (domain.md, "Schools that merge or close"): active, merged into a
-- successor, or closed, from a date. The record of a merged or closed school stays; from
-- `effective_on` it is read-only and leaves the peers, the rounds and the deadlines.
ALTER TABLE schools ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE schools ADD COLUMN successor_id BIGINT NULL REFERENCES schools (id);
ALTER TABLE schools ADD COLUMN effective_on DATE NULL;
ALTER TABLE schools ADD COLUMN status_reason TEXT NULL;
-- Partial indexes: nearly every school is active, so an index on `status` alone would be
-- judged useless by the planner's statistics and the few wound-up schools found by
-- scanning them all. The queries repeat these conditions word for word.
CREATE INDEX schools_wound_up_idx ON schools (effective_on) WHERE status <> 'active';
-- The schools merged into one (its page lists them).
CREATE INDEX schools_successor_idx ON schools (successor_id) WHERE status = 'merged';

-- What the province decided for each title of a merged or closed school: transferred to
-- the successor (the title then belongs to it and names where it came from), ended, or
-- kept as history.
ALTER TABLE school_titles ADD COLUMN settlement TEXT NULL;
ALTER TABLE school_titles ADD COLUMN transferred_from BIGINT NULL REFERENCES schools (id);
