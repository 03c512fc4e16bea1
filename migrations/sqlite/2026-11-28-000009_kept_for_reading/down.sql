DROP TABLE derived_state;
ALTER TABLE provinces DROP COLUMN data_version;
DROP TABLE deadline_items;
