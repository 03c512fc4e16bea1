DROP INDEX sessions_platform_ticket_idx;
ALTER TABLE sessions DROP COLUMN platform_ticket;
DROP TABLE sign_in_flows;
