-- The school year: the indicator catalogue as data, a school's figures per year (one row
-- per figure, so that an indicator is added without a change of schema), the year's state
-- (explanations, report sections, the lock), the province's collection rounds, and what a
-- status-data submission handed in. The nine figures of the old `indicators` table move
-- into `status_figures` unchanged; their API reads them from there.
CREATE TABLE indicator_defs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,
    min_value DOUBLE PRECISION,
    max_value DOUBLE PRECISION,
    help TEXT,
    help_zh TEXT,
    numerator TEXT,
    denominator TEXT,
    scale DOUBLE PRECISION,
    higher_is_better BOOLEAN,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);

INSERT INTO indicator_defs (code, name, name_zh, unit, kind, min_value, max_value, help, help_zh,
    numerator, denominator, scale, higher_is_better, position) VALUES
    ('students', 'Students enrolled', '在校生数', 'persons', 'whole', 0, NULL, 'Full-time students on the school''s roll on 31 August of the year.', '当年 8 月 31 日学校学籍在册的全日制在校生人数。', NULL, NULL, NULL, TRUE, 10),
    ('enrolled', 'Enrolled this year', '当年招生数', 'persons', 'whole', 0, NULL, 'New students admitted in the autumn intake of the year.', '当年秋季招收的全日制新生人数。', NULL, NULL, NULL, TRUE, 20),
    ('graduates', 'Graduates', '毕业生数', 'persons', 'whole', 0, NULL, 'Students who graduated in the year.', '当年毕业的学生人数。', NULL, NULL, NULL, NULL, 30),
    ('graduates_employed', 'Graduates employed', '毕业生就业人数', 'persons', 'whole', 0, NULL, 'Graduates of the year in employment (including further study) at the end of the year.', '当年毕业生中年末已就业（含升学）的人数。', NULL, NULL, NULL, TRUE, 40),
    ('graduates_employed_in_field', 'Graduates employed in their field', '对口就业人数', 'persons', 'whole', 0, NULL, 'Employed graduates whose work matches the programme they studied.', '就业毕业生中从事与所学专业对口工作的人数。', NULL, NULL, NULL, TRUE, 50),
    ('teachers', 'Full-time teachers', '专任教师数', 'persons', 'whole', 0, NULL, 'Full-time teachers on the school''s staff.', '学校在编在岗的专任教师人数。', NULL, NULL, NULL, TRUE, 60),
    ('dual_qualified_teachers', 'Dual-qualified teachers', '“双师型”教师数', 'persons', 'whole', 0, NULL, 'Full-time teachers holding both a teaching and an industry qualification.', '同时具备教师资格和行业职业资格（或相应工作经历）的专任教师人数。', NULL, NULL, NULL, TRUE, 70),
    ('part_time_industry_teachers', 'Part-time teachers from industry', '行业企业兼职教师数', 'persons', 'whole', 0, NULL, 'Part-time teachers employed in industry or enterprises.', '来自行业企业的兼职教师人数。', NULL, NULL, NULL, TRUE, 80),
    ('senior_appraisers', 'Senior appraisers', '高级考评员数', 'persons', 'whole', 0, NULL, 'Staff certified as senior skills appraisers.', '取得高级考评员资格的人数。', NULL, NULL, NULL, TRUE, 90),
    ('programmes_offered', 'Programmes offered', '开设专业数', 'count', 'whole', 0, 1000, 'Programmes (专业) the school enrolled students into in the year.', '当年有招生的专业个数。', NULL, NULL, NULL, NULL, 100),
    ('campus_area_m2', 'Campus area', '学校占地面积', 'm2', 'decimal', 0, NULL, 'Land the school holds, in square metres.', '学校产权占地面积（平方米）。', NULL, NULL, NULL, TRUE, 110),
    ('building_area_m2', 'Building area', '校舍建筑面积', 'm2', 'decimal', 0, NULL, 'Floor area of the school''s buildings, in square metres.', '学校校舍建筑面积（平方米）。', NULL, NULL, NULL, TRUE, 120),
    ('equipment_value_cny', 'Training equipment value', '教学仪器设备总值', 'cny', 'whole', 0, NULL, 'Value of teaching and training equipment, in yuan.', '教学、实习实训仪器设备资产总值（元）。', NULL, NULL, NULL, TRUE, 130),
    ('training_workstations', 'Training workstations', '实训工位数', 'count', 'whole', 0, NULL, 'Workstations in the school''s training rooms and bases.', '校内实训室（基地）的实训工位数。', NULL, NULL, NULL, TRUE, 140),
    ('computers', 'Computers for teaching', '教学用计算机数', 'count', 'whole', 0, NULL, 'Computers used for teaching.', '用于教学的计算机台数。', NULL, NULL, NULL, TRUE, 150),
    ('library_books', 'Library books', '纸质图书', 'volumes', 'whole', 0, NULL, 'Printed books held by the library.', '图书馆纸质图书藏量（册）。', NULL, NULL, NULL, TRUE, 160),
    ('training_person_times', 'Social training person-times', '社会培训人次', 'person_times', 'whole', 0, NULL, 'Training for people outside the school (re-employment, on-the-job, migrant workers).', '面向社会开展的培训人次（再就业、在职、农民工培训等）。', NULL, NULL, NULL, TRUE, 170),
    ('appraisal_person_times', 'Skills-appraisal person-times', '技能鉴定人次', 'person_times', 'whole', 0, NULL, 'Candidates the school''s appraisal station examined.', '学校职业技能鉴定站（所）鉴定的人次。', NULL, NULL, NULL, TRUE, 180),
    ('appraisal_passes', 'Skills-appraisal passes', '技能鉴定合格人次', 'person_times', 'whole', 0, NULL, 'Candidates who passed the skills appraisal.', '职业技能鉴定合格的人次。', NULL, NULL, NULL, TRUE, 190),
    ('enterprise_agreements', 'School–enterprise agreements', '校企合作协议数', 'count', 'whole', 0, NULL, 'Cooperation agreements with enterprises in force at the end of the year.', '年末有效的校企合作协议数。', NULL, NULL, NULL, TRUE, 200),
    ('students_per_teacher', 'Students per full-time teacher', '生师比', 'students_per_teacher', 'decimal', NULL, NULL, 'Students enrolled ÷ full-time teachers.', '在校生数 ÷ 专任教师数。', 'students', 'teachers', 1, FALSE, 210),
    ('campus_area_m2_per_student', 'Campus area per student', '生均占地面积', 'm2_per_student', 'decimal', NULL, NULL, 'Campus area ÷ students enrolled.', '学校占地面积 ÷ 在校生数。', 'campus_area_m2', 'students', 1, TRUE, 220),
    ('building_area_m2_per_student', 'Building area per student', '生均校舍建筑面积', 'm2_per_student', 'decimal', NULL, NULL, 'Building area ÷ students enrolled.', '校舍建筑面积 ÷ 在校生数。', 'building_area_m2', 'students', 1, TRUE, 230),
    ('equipment_value_cny_per_student', 'Equipment value per student', '生均教学仪器设备值', 'cny_per_student', 'decimal', NULL, NULL, 'Training equipment value ÷ students enrolled.', '教学仪器设备总值 ÷ 在校生数。', 'equipment_value_cny', 'students', 1, TRUE, 240),
    ('books_per_student', 'Library books per student', '生均纸质图书', 'volumes_per_student', 'decimal', NULL, NULL, 'Library books ÷ students enrolled.', '纸质图书 ÷ 在校生数。', 'library_books', 'students', 1, TRUE, 250),
    ('dual_qualified_share_pct', 'Share of dual-qualified teachers', '“双师型”教师占比', 'percent', 'percentage', NULL, NULL, 'Dual-qualified teachers ÷ full-time teachers.', '“双师型”教师数 ÷ 专任教师数。', 'dual_qualified_teachers', 'teachers', 100, TRUE, 260),
    ('employment_rate_pct', 'Employment rate', '毕业生就业率', 'percent', 'percentage', NULL, NULL, 'Graduates employed ÷ graduates.', '毕业生就业人数 ÷ 毕业生数。', 'graduates_employed', 'graduates', 100, TRUE, 270),
    ('employment_in_field_pct', 'Employment in the trained field', '对口就业率', 'percent', 'percentage', NULL, NULL, 'Graduates employed in their field ÷ graduates employed.', '对口就业人数 ÷ 毕业生就业人数。', 'graduates_employed_in_field', 'graduates_employed', 100, TRUE, 280),
    ('appraisal_pass_rate_pct', 'Skills-appraisal pass rate', '技能鉴定合格率', 'percent', 'percentage', NULL, NULL, 'Appraisal passes ÷ appraisal person-times.', '技能鉴定合格人次 ÷ 技能鉴定人次。', 'appraisal_passes', 'appraisal_person_times', 100, TRUE, 290);

CREATE TABLE status_figures (
    school_id BIGINT NOT NULL REFERENCES schools (id),
    year INTEGER NOT NULL,
    indicator_id BIGINT NOT NULL REFERENCES indicator_defs (id),
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (school_id, year, indicator_id)
);

CREATE TABLE school_years (
    school_id BIGINT NOT NULL REFERENCES schools (id),
    year INTEGER NOT NULL,
    explanations TEXT NOT NULL DEFAULT '{}',
    highlights TEXT,
    problems TEXT,
    locked_at TIMESTAMP,
    accepted_submission_id BIGINT REFERENCES submissions (id),
    reopen_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    PRIMARY KEY (school_id, year)
);
CREATE INDEX school_years_locked_idx ON school_years (school_id, locked_at, year);

CREATE TABLE collection_rounds (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    province_id BIGINT NOT NULL REFERENCES provinces (id),
    year INTEGER NOT NULL,
    due_on DATE NOT NULL,
    change_threshold_pct INTEGER NOT NULL DEFAULT 30,
    closed_at TIMESTAMP,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    UNIQUE (province_id, year)
);

-- What a status-data submission handed in at each round: the figures of that moment.
CREATE TABLE submission_contents (
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    round INTEGER NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (submission_id, round)
);
CREATE INDEX submissions_year_idx ON submissions (school_id, year, kind);

-- The nine figures of every year recorded so far, and the years themselves (not accepted:
-- they were never reviewed by a province).
INSERT INTO status_figures (school_id, year, indicator_id, value)
SELECT i.school_id, i.year, d.id, CAST(i.students AS DOUBLE PRECISION)
FROM indicators i JOIN indicator_defs d ON d.code = 'students' WHERE i.students IS NOT NULL;
INSERT INTO status_figures (school_id, year, indicator_id, value)
SELECT i.school_id, i.year, d.id, CAST(i.teachers AS DOUBLE PRECISION)
FROM indicators i JOIN indicator_defs d ON d.code = 'teachers' WHERE i.teachers IS NOT NULL;
INSERT INTO status_figures (school_id, year, indicator_id, value)
SELECT i.school_id, i.year, d.id, CAST(i.senior_appraisers AS DOUBLE PRECISION)
FROM indicators i JOIN indicator_defs d ON d.code = 'senior_appraisers' WHERE i.senior_appraisers IS NOT NULL;
INSERT INTO status_figures (school_id, year, indicator_id, value)
SELECT i.school_id, i.year, d.id, CAST(i.campus_area_m2 AS DOUBLE PRECISION)
FROM indicators i JOIN indicator_defs d ON d.code = 'campus_area_m2' WHERE i.campus_area_m2 IS NOT NULL;
INSERT INTO status_figures (school_id, year, indicator_id, value)
SELECT i.school_id, i.year, d.id, CAST(i.building_area_m2 AS DOUBLE PRECISION)
FROM indicators i JOIN indicator_defs d ON d.code = 'building_area_m2' WHERE i.building_area_m2 IS NOT NULL;
INSERT INTO status_figures (school_id, year, indicator_id, value)
SELECT i.school_id, i.year, d.id, CAST(i.equipment_value_cny AS DOUBLE PRECISION)
FROM indicators i JOIN indicator_defs d ON d.code = 'equipment_value_cny' WHERE i.equipment_value_cny IS NOT NULL;
INSERT INTO status_figures (school_id, year, indicator_id, value)
SELECT i.school_id, i.year, d.id, CAST(i.computers AS DOUBLE PRECISION)
FROM indicators i JOIN indicator_defs d ON d.code = 'computers' WHERE i.computers IS NOT NULL;
INSERT INTO status_figures (school_id, year, indicator_id, value)
SELECT i.school_id, i.year, d.id, CAST(i.graduates AS DOUBLE PRECISION)
FROM indicators i JOIN indicator_defs d ON d.code = 'graduates' WHERE i.graduates IS NOT NULL;
INSERT INTO status_figures (school_id, year, indicator_id, value)
SELECT i.school_id, i.year, d.id, CAST(i.training_person_times AS DOUBLE PRECISION)
FROM indicators i JOIN indicator_defs d ON d.code = 'training_person_times' WHERE i.training_person_times IS NOT NULL;
INSERT INTO school_years (school_id, year, updated_at) SELECT school_id, year, updated_at FROM indicators;
DROP TABLE indicators;

-- The peer comparison reads accepted figures only (the same statement as
-- `store::peers::REFRESH_ALL_SQL`).
DELETE FROM school_metrics;
INSERT INTO school_metrics (school_id, open_major_nc, open_minor_nc, open_observations,
    open_ofi, actions_closed_on_time, indicator_year, students, teachers, campus_area_m2,
    equipment_value_cny)
SELECT s.id,
    (SELECT COUNT(*) FROM findings f WHERE f.school_id = s.id
        AND f.status IN ('open', 'action_planned') AND f.grade = 'major_nc'),
    (SELECT COUNT(*) FROM findings f WHERE f.school_id = s.id
        AND f.status IN ('open', 'action_planned') AND f.grade = 'minor_nc'),
    (SELECT COUNT(*) FROM findings f WHERE f.school_id = s.id
        AND f.status IN ('open', 'action_planned') AND f.grade = 'observation'),
    (SELECT COUNT(*) FROM findings f WHERE f.school_id = s.id
        AND f.status IN ('open', 'action_planned') AND f.grade = 'ofi'),
    (SELECT COUNT(*) FROM corrective_actions ca JOIN findings f ON f.id = ca.finding_id
        WHERE f.school_id = s.id AND ca.done_on IS NOT NULL
        AND (ca.due_on IS NULL OR ca.done_on <= ca.due_on)),
    y.year,
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = s.id AND v.year = y.year AND d.code = 'students'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = s.id AND v.year = y.year AND d.code = 'teachers'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = s.id AND v.year = y.year AND d.code = 'campus_area_m2'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = s.id AND v.year = y.year AND d.code = 'equipment_value_cny')
FROM schools s
LEFT JOIN school_years y ON y.school_id = s.id
    AND y.year = (SELECT MAX(l.year) FROM school_years l
        WHERE l.school_id = s.id AND l.locked_at IS NOT NULL);
