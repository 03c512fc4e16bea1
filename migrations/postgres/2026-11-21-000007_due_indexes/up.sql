-- Found by the load benchmark (docs/performance.md): deadlines and home pages count and list
-- a province's open findings and corrective actions by due date, and look for surveillance
-- audits by kind. With these the database answers from the index alone, without reading a
-- row per finding.
DROP INDEX findings_school_status_idx;
CREATE INDEX findings_open_due_idx ON findings (school_id, status, due_on);
CREATE INDEX audits_school_kind_idx ON audits (school_id, kind, started_on);
CREATE INDEX corrective_actions_due_idx ON corrective_actions (finding_id, done_on, due_on);
