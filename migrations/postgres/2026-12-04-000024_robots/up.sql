-- Group robots (DingTalk, WeCom) of a province, told of chosen events. Their messages go
-- through the outbox like mail: a robot's row names the robot instead of a person.
CREATE TABLE webhooks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    posted_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_posts_idx ON webhook_posts (webhook_id, posted_at);

ALTER TABLE outbox ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN webhook_id BIGINT NULL REFERENCES webhooks (id) ON DELETE CASCADE;
CREATE INDEX outbox_webhook_idx ON outbox (webhook_id) WHERE webhook_id IS NOT NULL;
