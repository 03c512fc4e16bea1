-- Multipart uploads to the evidence bucket that are under way: a row from the upload's start
-- until its object is complete (or aborted). A row left by a server killed mid-upload names
-- the incomplete upload, which the next sweep aborts once it is old enough.
CREATE TABLE evidence_uploads (
    object_key TEXT PRIMARY KEY,
    upload_id TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL
);
