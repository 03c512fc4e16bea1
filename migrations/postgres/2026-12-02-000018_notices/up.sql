-- The public notice (公示) of a province's recommended evaluation results, open for
-- objections between two dates, and the objections anyone may lodge while it is open.

CREATE TABLE notices (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    province_id BIGINT NOT NULL REFERENCES provinces (id),
    title TEXT NOT NULL,
    body TEXT,
    opens_on DATE NOT NULL,
    closes_on DATE NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX notices_province_idx ON notices (province_id, opens_on);

-- What a notice publishes of each submission, as it stood when published: the school, the
-- title, the consensus total and the outcome; nothing else.
CREATE TABLE notice_entries (
    notice_id BIGINT NOT NULL REFERENCES notices (id),
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    position INTEGER NOT NULL,
    school_id BIGINT NOT NULL REFERENCES schools (id),
    school_name TEXT NOT NULL,
    title_type_code TEXT,
    consensus_half_points INTEGER,
    outcome TEXT,
    PRIMARY KEY (notice_id, submission_id)
);
CREATE INDEX notice_entries_submission_idx ON notice_entries (submission_id, notice_id);

-- An objection to one entry of a notice: who lodged it (never shown publicly), from where
-- (for throttling), and the province's resolution.
CREATE TABLE objections (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id BIGINT NOT NULL REFERENCES notices (id),
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    name TEXT NOT NULL,
    contact TEXT NOT NULL,
    text TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    upheld BOOLEAN,
    resolution TEXT,
    resolved_by BIGINT REFERENCES users (id),
    resolved_at TIMESTAMP
);
CREATE INDEX objections_submission_idx ON objections (submission_id);
CREATE INDEX objections_notice_idx ON objections (notice_id, id);
CREATE INDEX objections_addr_idx ON objections (client_addr, received_at);
