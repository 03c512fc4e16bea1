DROP TABLE evaluations;
DROP TABLE standard_criteria;
DROP TABLE standards;
