-- Transcode jobs: one per uploaded source, writing a fresh generation folder. A video
-- has at most one job queued or running; a newer upload cancels the older job. Jobs
-- left 'running' by a crash are re-queued at start. source and thumbnail are relative
-- to MEDIA_ROOT (thumbnail: the JPEG to generate, NULL when one was uploaded).
CREATE TABLE jobs (
    id           BIGSERIAL PRIMARY KEY,
    video_id     BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    generation   BIGINT NOT NULL,
    source       TEXT NOT NULL,
    thumbnail    TEXT,
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    attempt      INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    node         TEXT,
    progress     DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at   TIMESTAMPTZ,
    finished_at  TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    error        TEXT,
    UNIQUE (video_id, generation)
);
CREATE INDEX jobs_video_idx ON jobs (video_id);
CREATE INDEX jobs_active_idx ON jobs (state) WHERE state IN ('queued', 'running');
