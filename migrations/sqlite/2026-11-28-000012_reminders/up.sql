-- Reminders before things fall due: each (reminder, recipient) once, however often the daily
-- job runs. A reminder's notice names its school, subject and due date.
CREATE TABLE reminders_sent (
    reminder_key TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    sent_on DATE NOT NULL,
    PRIMARY KEY (reminder_key, user_id)
);
ALTER TABLE notifications ADD COLUMN school_id BIGINT REFERENCES schools (id);
ALTER TABLE notifications ADD COLUMN subject TEXT;
ALTER TABLE notifications ADD COLUMN due_on DATE;
