-- The language of a user's mails (zh-CN or en); the pages' language switch sets it too.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'zh-CN';
