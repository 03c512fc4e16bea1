-- A sign-in through the province's identity platform between the redirect and the
-- callback: its state (also kept in the browser's cookie), the nonce the ID token must
-- carry, the PKCE verifier and where to go afterwards. Taken once by the callback (so a
-- replayed callback finds nothing), and worthless after ten minutes. In the database, not
-- in a server's memory, so that the callback may reach another server.
CREATE TABLE sign_in_flows (
    state TEXT PRIMARY KEY,
    method TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_flows_created_idx ON sign_in_flows (created_at);

-- The CAS ticket a session was opened with: the CAS server's single logout names it.
ALTER TABLE sessions ADD COLUMN platform_ticket TEXT NULL;
CREATE INDEX sessions_platform_ticket_idx ON sessions (platform_ticket) WHERE platform_ticket IS NOT NULL;
