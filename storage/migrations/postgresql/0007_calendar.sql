-- The subscribable club calendar (GET /calendar/<token>.ics). One link per server; only the SHA-256 of its
-- token is kept, so a copied database or backup cannot be turned into working links. Rotating replaces the
-- row, which invalidates the old link at once. created_by is the organiser who made the link (club data);
-- name is the calendar's title in members' apps (the server's name when the link was made).
CREATE TABLE calendar_tokens (
    guild_id   BIGINT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
