-- The catalogue. source and thumbnail are file names under MEDIA_ROOT/sources/ and
-- MEDIA_ROOT/thumbnails/. current_generation points at the ladder being served
-- (MEDIA_ROOT/hls/<id>/<generation>/), NULL until the first one is complete; it moves
-- only when a newer ladder is complete. revision grows with every change, so that
-- the daemon's in-memory copy applies updates in order.
CREATE TABLE videos (
    id                  BIGSERIAL PRIMARY KEY,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    title               TEXT NOT NULL DEFAULT '',
    description         TEXT NOT NULL DEFAULT '',
    category            TEXT NOT NULL DEFAULT '',
    source              TEXT NOT NULL,
    source_size         BIGINT NOT NULL DEFAULT 0,
    thumbnail           TEXT,
    thumbnail_generated BOOLEAN NOT NULL DEFAULT FALSE,
    duration            DOUBLE PRECISION,
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    current_generation  BIGINT,
    last_generation     BIGINT NOT NULL DEFAULT 0,
    resolutions         TEXT[] NOT NULL DEFAULT '{}',
    error               TEXT,
    revision            BIGINT NOT NULL DEFAULT 1,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX videos_created_idx ON videos (created_at DESC, id DESC);
