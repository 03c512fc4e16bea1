DROP TABLE access_log;
ALTER TABLE sessions DROP COLUMN last_seen_at;
ALTER TABLE sessions DROP COLUMN page;
ALTER TABLE sessions DROP COLUMN method;
ALTER TABLE users DROP COLUMN password_change_required;
DROP INDEX users_external_id_idx;
ALTER TABLE users DROP COLUMN external_id;
