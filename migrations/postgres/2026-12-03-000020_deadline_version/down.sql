ALTER TABLE provinces DROP COLUMN deadline_version;
