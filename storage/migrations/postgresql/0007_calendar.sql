-- The subscribable club calendar (GET /calendar/<token>.ics). One link per server, made when anyone first
-- asks for it. The token is derived, not stored: HMAC-SHA256 of the guild id and `generation` under a key
-- that lives outside the database (services/calendar.py), so a copied database or backup cannot be turned
-- into working links. Only the token's SHA-256 is kept, to find the server a request is for. Rotating adds
-- one to `generation`, which gives a new token and invalidates the old link at once. name is the
-- calendar's title in members' apps (the server's name); updated_at is when the row last changed (link
-- made or rotated, server renamed), the Last-Modified of a feed with no screenings.
CREATE TABLE calendar_tokens (
    guild_id   BIGINT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    generation BIGINT NOT NULL DEFAULT 1,
    name       TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);
