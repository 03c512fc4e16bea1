UPDATE indicator_defs SET max_value = NULL
WHERE numerator IS NULL AND code IN ('students', 'enrolled', 'graduates',
    'graduates_employed', 'graduates_employed_in_field', 'teachers', 'dual_qualified_teachers',
    'part_time_industry_teachers', 'senior_appraisers', 'campus_area_m2', 'building_area_m2',
    'equipment_value_cny', 'training_workstations', 'computers', 'library_books',
    'training_person_times', 'appraisal_person_times', 'appraisal_passes',
    'enterprise_agreements');
