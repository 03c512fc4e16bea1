DROP INDEX audits_submission_idx;
ALTER TABLE audits DROP COLUMN submission_id;
DROP TABLE declared_conflicts;
DROP TABLE consensus_scores;
DROP TABLE expert_scores;
DROP TABLE panel_members;
ALTER TABLE users DROP COLUMN valid_until;
