-- The version of each province's kept deadlines (deadline_items), raised in the transaction
-- of every write that refreshes them: the key under which a server keeps the province's
-- deadline counts (store::kept).
ALTER TABLE provinces ADD COLUMN deadline_version BIGINT NOT NULL DEFAULT 0;
