DROP INDEX corrective_actions_due_idx;
DROP INDEX audits_school_kind_idx;
DROP INDEX findings_open_due_idx;
CREATE INDEX findings_school_status_idx ON findings (school_id, status);
