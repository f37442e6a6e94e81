-- Sessions ended by logging out before their expiry. A session cookie is
-- signed, not stored, so a copy of it would otherwise keep working until it
-- expires. Only a digest of the session's id is kept, until that expiry.
CREATE TABLE ended_sessions (
    session_digest VARCHAR PRIMARY KEY,
    expires_at     TIMESTAMPTZ NOT NULL
);
