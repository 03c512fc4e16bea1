-- The expert panel (专家组) of an evaluation, the experts' blind scores, the panel's
-- consensus (合议分), conflicts of interest declared by experts and reviewers, and the
-- province's site visit (现场评估) as an audit linked to the submission.

-- An expert's account may end on a date (an appointment for a term).
ALTER TABLE users ADD COLUMN valid_until DATE;

-- Who sits on a submission's panel: one lead and the members; each seals their sheet once.
CREATE TABLE panel_members (
    submission_id BIGINT NOT NULL REFERENCES evaluations (submission_id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    lead BOOLEAN NOT NULL,
    position INTEGER NOT NULL,
    sealed_at TIMESTAMP,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (submission_id, user_id)
);
CREATE INDEX panel_members_user_idx ON panel_members (user_id, submission_id);

-- Each member's score of each item: half-points for a scored item, met or not for a veto
-- item, and the reason for a deduction (扣分原因).
CREATE TABLE expert_scores (
    submission_id BIGINT NOT NULL REFERENCES evaluations (submission_id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    ref TEXT NOT NULL,
    half_points INTEGER,
    met BOOLEAN,
    comment TEXT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (submission_id, user_id, ref)
);

-- The consensus of each item, set by the lead once every member has sealed.
CREATE TABLE consensus_scores (
    submission_id BIGINT NOT NULL REFERENCES evaluations (submission_id),
    ref TEXT NOT NULL,
    half_points INTEGER,
    met BOOLEAN,
    note TEXT,
    set_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (submission_id, ref)
);

-- Conflicts of interest that experts and reviewers declare themselves.
CREATE TABLE declared_conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    school_id BIGINT NOT NULL REFERENCES schools (id),
    reason TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, school_id)
);
CREATE INDEX declared_conflicts_school_idx ON declared_conflicts (school_id, user_id);

-- The site visit of an evaluation: an audit of kind provincial_inspection of the school.
ALTER TABLE audits ADD COLUMN submission_id BIGINT REFERENCES submissions (id);
CREATE INDEX audits_submission_idx ON audits (submission_id);
