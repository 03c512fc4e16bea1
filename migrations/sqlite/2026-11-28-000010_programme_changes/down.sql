ALTER TABLE programmes DROP COLUMN version;
ALTER TABLE programmes DROP COLUMN closed_on;
