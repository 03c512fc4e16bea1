-- Mail delivery. Each outbox row is claimed with a lease (a server killed mid-send leaves it
-- to be taken again once the lease ends), delivered, and marked; a failure is retried with
-- backoff and kept with its last error, and after the limit it is marked failed until an
-- admin retries it. `kind` (workflow, reminder, digest) is what a recipient can turn off.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'workflow';
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN leased_until TIMESTAMP;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN failed_at TIMESTAMP;
CREATE INDEX outbox_failed_idx ON outbox (failed_at, id);
-- Which mails a person wants: workflow steps, reminders, the weekly digest.
ALTER TABLE users ADD COLUMN mail_workflow BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN mail_reminders BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN mail_digest BOOLEAN NOT NULL DEFAULT TRUE;
-- Which server runs a periodic job (the daily reminders): a lease, and the day last done.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT,
    leased_until TIMESTAMP,
    last_done_on DATE
);
