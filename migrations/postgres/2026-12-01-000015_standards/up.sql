-- Evaluation standards (评估标准): a tree of criteria, national (no province) or a
-- province's own, one row per (code, version). A standard never changes once written: a
-- revision is a new version. Points are whole half-points (a score moves in steps of 0.5).
CREATE TABLE standards (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_zh TEXT,
    province_id BIGINT REFERENCES provinces (id),
    title_type_id BIGINT REFERENCES title_types (id),
    total_half_points INTEGER NOT NULL,
    pass_half_points INTEGER NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    UNIQUE (code, version)
);
CREATE INDEX standards_title_type_idx ON standards (title_type_id, province_id, version);
CREATE INDEX standards_province_idx ON standards (province_id, code, version);
-- The criteria of a standard in their order: groups (with children) and items (leaves:
-- scored, or veto items judged met or not met, without points).
CREATE TABLE standard_criteria (
    standard_id BIGINT NOT NULL REFERENCES standards (id),
    position INTEGER NOT NULL,
    ref TEXT NOT NULL,
    parent_ref TEXT,
    name TEXT NOT NULL,
    name_zh TEXT,
    max_half_points INTEGER,
    veto BOOLEAN NOT NULL,
    guidance TEXT,
    evidence_expected TEXT,
    PRIMARY KEY (standard_id, ref)
);
-- The evaluation of a title application or re-evaluation against a standard: the
-- standard it is scored by (which, once used, stays as it is).
CREATE TABLE evaluations (
    submission_id BIGINT PRIMARY KEY REFERENCES submissions (id),
    standard_id BIGINT NOT NULL REFERENCES standards (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX evaluations_standard_idx ON evaluations (standard_id);
