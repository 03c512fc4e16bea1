DELETE FROM outbox WHERE user_id IS NULL;
DROP INDEX outbox_webhook_idx;
ALTER TABLE outbox DROP COLUMN webhook_id;
ALTER TABLE outbox ALTER COLUMN user_id SET NOT NULL;
DROP TABLE webhook_posts;
DROP TABLE webhooks;
