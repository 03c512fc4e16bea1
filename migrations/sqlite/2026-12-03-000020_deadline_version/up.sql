-- The version of each province's kept deadlines (deadline_items), raised in the transaction
-- of every write that refreshes them: the key under which a server keeps the province's
-- deadline counts (store::kept).
ALTER TABLE provinces ADD COLUMN deadline_version BIGINT NOT NULL DEFAULT 0;

-- A user's notices newest first (the inbox) as one index range, whatever the planner's
-- statistics say (a freshly loaded PostgreSQL walked the whole table backwards by id).
CREATE INDEX notifications_user_newest_idx ON notifications (user_id, id);
