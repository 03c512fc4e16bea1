DROP TABLE evidence_uploads;
