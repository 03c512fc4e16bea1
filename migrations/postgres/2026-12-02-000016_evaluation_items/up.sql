-- The school's self-assessment of each item of its evaluation (自评): a score in
-- half-points for a scored item, met or not for a veto item, a note (the reason for a
-- deduction), and the evidence files of the submission that support it.
CREATE TABLE evaluation_items (
    submission_id BIGINT NOT NULL REFERENCES evaluations (submission_id),
    ref TEXT NOT NULL,
    self_half_points INTEGER,
    self_met BOOLEAN,
    self_note TEXT,
    updated_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (submission_id, ref)
);
-- One evidence file may support several items; an item may have several files.
CREATE TABLE evaluation_evidence (
    submission_id BIGINT NOT NULL REFERENCES evaluations (submission_id),
    ref TEXT NOT NULL,
    evidence_id BIGINT NOT NULL REFERENCES evidence_files (id),
    PRIMARY KEY (submission_id, ref, evidence_id)
);
