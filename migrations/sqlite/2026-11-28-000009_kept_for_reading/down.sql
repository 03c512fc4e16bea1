DROP TABLE submission_tallies;
DROP INDEX submissions_province_status_idx;
DROP INDEX submissions_province_queue_idx;
ALTER TABLE submissions DROP COLUMN province_id;
DROP TABLE derived_state;
ALTER TABLE provinces DROP COLUMN round_version;
ALTER TABLE provinces DROP COLUMN data_version;
DROP TABLE deadline_items;
