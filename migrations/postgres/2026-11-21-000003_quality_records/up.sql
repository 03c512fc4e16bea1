-- A school's quality record: titles (catalogue and holdings), the quality-management
-- certificate, audits with findings and their corrective actions, yearly indicators;
-- and the tamper-evident history of every change.
CREATE TABLE title_types (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_zh TEXT,
    level TEXT NOT NULL,
    awarding_body TEXT NOT NULL,
    reevaluation_interval_months INTEGER,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

CREATE TABLE school_titles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools (id),
    title_type_id BIGINT NOT NULL REFERENCES title_types (id),
    awarded_on DATE NOT NULL,
    last_evaluated_on DATE,
    status TEXT NOT NULL DEFAULT 'active',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    UNIQUE (school_id, title_type_id)
);

CREATE TABLE certificates (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school_id BIGINT NOT NULL UNIQUE REFERENCES schools (id),
    standard TEXT NOT NULL,
    certification_body TEXT NOT NULL,
    certificate_number TEXT NOT NULL,
    scope TEXT,
    issued_on DATE NOT NULL,
    expires_on DATE NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

CREATE TABLE audits (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    school_id BIGINT NOT NULL REFERENCES schools (id),
    kind TEXT NOT NULL,
    standard TEXT NOT NULL,
    started_on DATE NOT NULL,
    ended_on DATE,
    lead_auditor TEXT,
    auditing_body TEXT,
    scope TEXT,
    summary TEXT,
    province_verified_on DATE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX audits_school_idx ON audits (school_id, started_on);

CREATE TABLE findings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    audit_id BIGINT NOT NULL REFERENCES audits (id),
    school_id BIGINT NOT NULL REFERENCES schools (id),
    clause TEXT NOT NULL,
    grade TEXT NOT NULL,
    description TEXT NOT NULL,
    due_on DATE,
    status TEXT NOT NULL DEFAULT 'open',
    reopen_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX findings_audit_idx ON findings (audit_id);
CREATE INDEX findings_school_status_idx ON findings (school_id, status);

-- The corrective action of a finding (at most one) and the verification of its effectiveness.
CREATE TABLE corrective_actions (
    finding_id BIGINT PRIMARY KEY NOT NULL REFERENCES findings (id),
    root_cause TEXT,
    action TEXT,
    owner TEXT,
    due_on DATE,
    done_on DATE,
    verified_by TEXT,
    verified_on DATE,
    effective BOOLEAN,
    verification_note TEXT,
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

CREATE TABLE indicators (
    school_id BIGINT NOT NULL REFERENCES schools (id),
    year INTEGER NOT NULL,
    students BIGINT,
    teachers BIGINT,
    senior_appraisers BIGINT,
    campus_area_m2 BIGINT,
    building_area_m2 BIGINT,
    equipment_value_cny BIGINT,
    computers BIGINT,
    graduates BIGINT,
    training_person_times BIGINT,
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    PRIMARY KEY (school_id, year)
);

CREATE TABLE history (
    id BIGINT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id BIGINT,
    school_id BIGINT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX history_school_idx ON history (school_id, id);
CREATE INDEX history_entity_idx ON history (entity, entity_id);

-- The newest entry, so that deleting entries at the end is detected too.
CREATE TABLE history_head (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    last_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);

-- The catalogue of titles named in the seeds.
INSERT INTO title_types (code, name, name_zh, level, awarding_body, reevaluation_interval_months) VALUES
('national_key_technical_school', 'National Key Technical School', '国家重点技工学校', 'national', 'Ministry of Human Resources and Social Security', 60),
('national_vocational_training_base', 'National Comprehensive Vocational Training Base', '国家级综合性职业培训基地', 'national', 'Ministry of Human Resources and Social Security', 60),
('migrant_workers_training_base', 'Migrant Workers Training Demonstration Base', '农民工培训示范基地', 'national', 'Ministry of Human Resources and Social Security', 36),
('electrical_electronic_training_base', 'Electrical and Electronic Training Base', '电工电子实训基地', 'provincial', 'Provincial Department of Human Resources and Social Security', 36),
('national_key_secondary_vocational_school', 'National Key Secondary Vocational School', '国家重点中等职业学校', 'national', 'Ministry of Education', NULL),
('provincial_demonstration_vocational_school', 'Provincial Demonstration Vocational School', '省级示范性职业学校', 'provincial', 'Provincial Department of Education', 60),
('double_high_school', 'Double High Secondary Vocational School', '中职"双高"学校', 'provincial', 'Provincial Department of Education', 36),
('rural_labor_transfer_training_base', 'Training Base for Rural Labor Transfer', '农村劳动力转移培训基地', 'provincial', 'Provincial Department of Agriculture', 36),
('industry_education_training_base', 'Industry-Education Integration Training Base', '产教融合实训基地', 'municipal', 'Municipal Education Bureau', 36);
