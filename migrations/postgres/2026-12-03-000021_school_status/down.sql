ALTER TABLE school_titles DROP COLUMN transferred_from;
ALTER TABLE school_titles DROP COLUMN settlement;
DROP INDEX schools_successor_idx;
DROP INDEX schools_wound_up_idx;
ALTER TABLE schools DROP COLUMN status_reason;
ALTER TABLE schools DROP COLUMN effective_on;
ALTER TABLE schools DROP COLUMN successor_id;
ALTER TABLE schools DROP COLUMN status;
