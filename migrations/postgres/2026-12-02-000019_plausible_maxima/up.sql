-- Plausible maxima for the entered indicators (issue 26): a figure past them is a typing
-- slip (10^13 students), not a school. The largest schools of the country stay well inside.
UPDATE indicator_defs SET max_value = CASE code
    WHEN 'students' THEN 200000
    WHEN 'enrolled' THEN 100000
    WHEN 'graduates' THEN 200000
    WHEN 'graduates_employed' THEN 200000
    WHEN 'graduates_employed_in_field' THEN 200000
    WHEN 'teachers' THEN 20000
    WHEN 'dual_qualified_teachers' THEN 20000
    WHEN 'part_time_industry_teachers' THEN 20000
    WHEN 'senior_appraisers' THEN 20000
    WHEN 'campus_area_m2' THEN 10000000
    WHEN 'building_area_m2' THEN 10000000
    WHEN 'equipment_value_cny' THEN 100000000000
    WHEN 'training_workstations' THEN 1000000
    WHEN 'computers' THEN 1000000
    WHEN 'library_books' THEN 100000000
    WHEN 'training_person_times' THEN 10000000
    WHEN 'appraisal_person_times' THEN 10000000
    WHEN 'appraisal_passes' THEN 10000000
    WHEN 'enterprise_agreements' THEN 100000
END
WHERE max_value IS NULL AND numerator IS NULL AND code IN ('students', 'enrolled', 'graduates',
    'graduates_employed', 'graduates_employed_in_field', 'teachers', 'dual_qualified_teachers',
    'part_time_industry_teachers', 'senior_appraisers', 'campus_area_m2', 'building_area_m2',
    'equipment_value_cny', 'training_workstations', 'computers', 'library_books',
    'training_person_times', 'appraisal_person_times', 'appraisal_passes',
    'enterprise_agreements');
