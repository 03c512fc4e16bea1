DELETE FROM outbox WHERE user_id IS NULL;
CREATE TABLE outbox_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    kind TEXT NOT NULL DEFAULT 'workflow',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    leased_until TIMESTAMP,
    last_error TEXT,
    failed_at TIMESTAMP
);
INSERT INTO outbox_old SELECT id, channel, user_id, payload, created_at, delivered_at, kind,
    attempts, next_attempt_at, leased_until, last_error, failed_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
CREATE INDEX outbox_pending_idx ON outbox (delivered_at, id);
CREATE INDEX outbox_failed_idx ON outbox (failed_at, id);
DROP TABLE webhook_posts;
DROP TABLE webhooks;
