-- Submissions a school hands to its province, their evidence files (by round), every
-- workflow step, the in-app inbox, and an outbox from which e-mail can later be sent.
CREATE TABLE submissions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT,
    title_type_id BIGINT REFERENCES title_types (id),
    school_title_id BIGINT REFERENCES school_titles (id),
    audit_id BIGINT REFERENCES audits (id),
    finding_id BIGINT REFERENCES findings (id),
    year INTEGER,
    status TEXT NOT NULL DEFAULT 'draft',
    round INTEGER NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    recommended_by BIGINT REFERENCES users (id),
    created_by BIGINT REFERENCES users (id),
    submitted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX submissions_school_idx ON submissions (school_id, status);
CREATE INDEX submissions_status_idx ON submissions (status, submitted_at);

CREATE TABLE evidence_files (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    round INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    description TEXT,
    uploaded_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX evidence_submission_idx ON evidence_files (submission_id, round);
CREATE INDEX evidence_sha_idx ON evidence_files (sha256);

CREATE TABLE submission_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    round INTEGER NOT NULL,
    comment TEXT
);
CREATE INDEX submission_events_idx ON submission_events (submission_id, id);

CREATE TABLE notifications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    submission_id BIGINT REFERENCES submissions (id),
    event TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user_idx ON notifications (user_id, read_at);

CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX outbox_pending_idx ON outbox (delivered_at, id);
