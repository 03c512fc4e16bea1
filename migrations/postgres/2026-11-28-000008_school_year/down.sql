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
INSERT INTO indicators (school_id, year, students, teachers, senior_appraisers, campus_area_m2, building_area_m2, equipment_value_cny, computers, graduates, training_person_times, updated_at)
SELECT y.school_id, y.year,
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = y.school_id AND v.year = y.year AND d.code = 'students'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = y.school_id AND v.year = y.year AND d.code = 'teachers'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = y.school_id AND v.year = y.year AND d.code = 'senior_appraisers'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = y.school_id AND v.year = y.year AND d.code = 'campus_area_m2'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = y.school_id AND v.year = y.year AND d.code = 'building_area_m2'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = y.school_id AND v.year = y.year AND d.code = 'equipment_value_cny'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = y.school_id AND v.year = y.year AND d.code = 'computers'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = y.school_id AND v.year = y.year AND d.code = 'graduates'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = y.school_id AND v.year = y.year AND d.code = 'training_person_times'),
    y.updated_at
FROM school_years y;
DROP INDEX submissions_year_idx;
DROP TABLE submission_contents;
DROP TABLE collection_rounds;
DROP TABLE school_years;
DROP TABLE status_figures;
DROP TABLE indicator_defs;
