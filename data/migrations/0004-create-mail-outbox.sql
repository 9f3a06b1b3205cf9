-- Mail to send, written in the same transaction as the change that causes it; the
-- sender claims due rows, retries with backoff, and marks them sent.
CREATE TABLE mail_outbox (
    id          BIGSERIAL PRIMARY KEY,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    body_html   TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error  TEXT,
    sent_at     TIMESTAMPTZ
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_try_at) WHERE sent_at IS NULL;
