-- Group robots (DingTalk, WeCom) of a province, told of chosen events. Their messages go
-- through the outbox like mail: a robot's row names the robot instead of a person.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    province_id BIGINT NOT NULL REFERENCES provinces (id),
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NULL,
    events TEXT NOT NULL,
    created_by BIGINT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_province_idx ON webhooks (province_id);

-- What each robot was sent, for the vendors' limit of 20 messages a minute.
CREATE TABLE webhook_posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    posted_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_posts_idx ON webhook_posts (webhook_id, posted_at);

-- SQLite cannot drop a NOT NULL: the outbox is built again with `user_id` nullable and
-- `webhook_id` beside it, every row kept.
CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    user_id BIGINT NULL REFERENCES users (id),
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    kind TEXT NOT NULL DEFAULT 'workflow',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    leased_until TIMESTAMP,
    last_error TEXT,
    failed_at TIMESTAMP,
    webhook_id BIGINT NULL REFERENCES webhooks (id) ON DELETE CASCADE
);
INSERT INTO outbox_new (id, channel, user_id, payload, created_at, delivered_at, kind, attempts,
    next_attempt_at, leased_until, last_error, failed_at)
SELECT id, channel, user_id, payload, created_at, delivered_at, kind, attempts,
    next_attempt_at, leased_until, last_error, failed_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending_idx ON outbox (delivered_at, id);
CREATE INDEX outbox_failed_idx ON outbox (failed_at, id);
CREATE INDEX outbox_webhook_idx ON outbox (webhook_id) WHERE webhook_id IS NOT NULL;
