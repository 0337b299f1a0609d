-- Per-server settings changed with /club settings. One row per guild, created on first change.
CREATE TABLE guild_settings (
    guild_id            BIGINT PRIMARY KEY,
    timezone            TEXT,
    organiser_role_id   BIGINT,
    notices_channel_id  BIGINT,
    announce_channel_id BIGINT,
    polls_organisers_only BIGINT NOT NULL DEFAULT 0,
    updated_at          BIGINT NOT NULL
);

-- Per-member settings (a member's own time zone for scheduling). Deleted by /club forget-me.
CREATE TABLE member_settings (
    user_id    BIGINT PRIMARY KEY,
    timezone   TEXT,
    updated_at BIGINT NOT NULL
);

-- Health of the background loops, shown by /club status.
CREATE TABLE loop_health (
    name        TEXT PRIMARY KEY,
    last_run_at BIGINT,
    last_ok_at  BIGINT,
    last_result TEXT
);
