-- Calendar feeds (a secret address per user), consulting grants between schools, and the
-- province's programmes with their targets.
CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES users (id),
    token TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE consulting_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    granting_school_id BIGINT NOT NULL REFERENCES schools (id),
    consultant_school_id BIGINT NOT NULL REFERENCES schools (id),
    until DATE NOT NULL,
    include_evidence BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX consulting_grants_consultant_idx ON consulting_grants (consultant_school_id, until);
CREATE INDEX consulting_grants_granting_idx ON consulting_grants (granting_school_id);

CREATE TABLE programmes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    province_id BIGINT NOT NULL REFERENCES provinces (id),
    name TEXT NOT NULL,
    title_type_id BIGINT REFERENCES title_types (id),
    indicator TEXT,
    threshold BIGINT,
    target_count INTEGER NOT NULL,
    target_date DATE NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX programmes_province_idx ON programmes (province_id);
