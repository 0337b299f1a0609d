-- Per-server settings changed with /club settings. One row per guild, created on first change.
CREATE TABLE guild_settings (
    guild_id            INTEGER PRIMARY KEY,
    timezone            TEXT,
    organiser_role_id   INTEGER,
    notices_channel_id  INTEGER,
    announce_channel_id INTEGER,
    polls_organisers_only INTEGER NOT NULL DEFAULT 0,
    updated_at          INTEGER NOT NULL
);

-- Per-member settings (a member's own time zone for scheduling). Deleted by /club forget-me.
CREATE TABLE member_settings (
    user_id    INTEGER PRIMARY KEY,
    timezone   TEXT,
    updated_at INTEGER NOT NULL
);

-- Health of the background loops, shown by /club status.
CREATE TABLE loop_health (
    name        TEXT PRIMARY KEY,
    last_run_at INTEGER,
    last_ok_at  INTEGER,
    last_result TEXT
);
