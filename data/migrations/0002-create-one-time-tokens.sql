-- Activation and password-reset tokens. Only a hash of the token is stored; a token
-- is single-use (used_at) and expires. A reset token also dies with a password
-- change: it records the password_changed_at it was issued under.
CREATE TABLE one_time_tokens (
    id                  BIGSERIAL PRIMARY KEY,
    user_id             BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose             TEXT NOT NULL CHECK (purpose IN ('activation', 'password_reset')),
    token_hash          BYTEA NOT NULL UNIQUE,
    password_changed_at TIMESTAMPTZ NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at          TIMESTAMPTZ NOT NULL,
    used_at             TIMESTAMPTZ
);
CREATE INDEX one_time_tokens_user_idx ON one_time_tokens (user_id, purpose);
