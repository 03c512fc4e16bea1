DROP INDEX notifications_user_newest_idx;
ALTER TABLE provinces DROP COLUMN deadline_version;
