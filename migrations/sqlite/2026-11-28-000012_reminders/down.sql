ALTER TABLE notifications DROP COLUMN due_on;
ALTER TABLE notifications DROP COLUMN subject;
ALTER TABLE notifications DROP COLUMN school_id;
DROP TABLE reminders_sent;
