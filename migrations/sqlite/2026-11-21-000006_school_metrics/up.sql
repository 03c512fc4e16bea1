-- Figures of each school that the peer comparison reads for a whole province at once, kept
-- up to date by the writes that change them (findings, corrective actions, indicators), so
-- that a comparison reads one row per school instead of every finding of the province.
CREATE TABLE school_metrics (
    school_id BIGINT PRIMARY KEY NOT NULL REFERENCES schools (id),
    open_major_nc BIGINT NOT NULL,
    open_minor_nc BIGINT NOT NULL,
    open_observations BIGINT NOT NULL,
    open_ofi BIGINT NOT NULL,
    actions_closed_on_time BIGINT NOT NULL,
    indicator_year INTEGER,
    students BIGINT,
    teachers BIGINT,
    campus_area_m2 BIGINT,
    equipment_value_cny BIGINT
);

-- The figures of the schools already recorded (the same statement as
-- `store::peers::REFRESH_ALL_SQL`).
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
    i.year, i.students, i.teachers, i.campus_area_m2, i.equipment_value_cny
FROM schools s
LEFT JOIN indicators i ON i.school_id = s.id
    AND i.year = (SELECT MAX(year) FROM indicators l WHERE l.school_id = s.id);
