-- A feed is fetched once however many channels subscribe to it.
CREATE TABLE feeds (
    id                   INTEGER PRIMARY KEY,
    url                  TEXT NOT NULL UNIQUE,
    title                TEXT,
    etag                 TEXT,
    last_modified        TEXT,
    -- active | paused (automatic: long failure, 410 Gone); paused feeds are probed every probe_interval
    status               TEXT NOT NULL DEFAULT 'active',
    pause_reason         TEXT,
    next_poll_at         INTEGER NOT NULL,
    last_polled_at       INTEGER,
    last_success_at      INTEGER,
    last_error           TEXT,
    last_error_at        INTEGER,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failing_since        INTEGER,
    warned               INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL
);
CREATE INDEX feeds_next_poll ON feeds (next_poll_at);

-- A channel's subscription to a feed. Deleting it deletes its pending posts.
CREATE TABLE subscriptions (
    id             INTEGER PRIMARY KEY,
    feed_id        INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    guild_id       INTEGER NOT NULL,
    channel_id     INTEGER NOT NULL,
    name           TEXT NOT NULL,
    include_filter TEXT,
    exclude_filter TEXT,
    force_spoiler  INTEGER NOT NULL DEFAULT 0,
    -- active | paused (by a moderator) | broken (Discord refused the channel: 403/404)
    status         TEXT NOT NULL DEFAULT 'active',
    status_reason  TEXT,
    created_by     INTEGER,
    created_at     INTEGER NOT NULL,
    UNIQUE (feed_id, channel_id)
);
CREATE INDEX subscriptions_guild ON subscriptions (guild_id, channel_id);

-- Every entry ever seen, so each is posted once. The key is stable across trivial changes.
CREATE TABLE entries (
    id           INTEGER PRIMARY KEY,
    feed_id      INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    entry_key    TEXT NOT NULL,
    title        TEXT,
    link         TEXT,
    published_at INTEGER,
    seen_at      INTEGER NOT NULL,
    UNIQUE (feed_id, entry_key)
);

-- Posts to deliver, written in the same transaction that marks their entry seen. Delivered with a
-- deterministic nonce (enforce_nonce), so a post retried after a crash is not duplicated by Discord.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    entry_id        INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL,
    payload         TEXT NOT NULL,
    -- pending | held (flood breaker, waiting for a moderator) | delivered | skipped | failed
    state           TEXT NOT NULL DEFAULT 'pending',
    nonce           TEXT NOT NULL UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    message_id      INTEGER,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    UNIQUE (subscription_id, entry_id)
);
CREATE INDEX outbox_pending ON outbox (state, channel_id, id);

-- Per-server content-warning settings (/club warnings).
CREATE TABLE guild_warning_settings (
    guild_id           INTEGER PRIMARY KEY,
    hidden_categories  TEXT NOT NULL DEFAULT '[]',
    spoiler_categories TEXT NOT NULL DEFAULT '[]',
    custom_terms       TEXT NOT NULL DEFAULT '{}',
    updated_at         INTEGER NOT NULL
);
