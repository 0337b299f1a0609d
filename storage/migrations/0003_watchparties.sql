-- Watch parties (issue 5). Times are UTC epoch seconds; the zone is kept only to read and show wall times.
-- The id is the short number members see ("#12") and the one in RSVP buttons' custom_ids.
CREATE TABLE watchparties (
    id                  INTEGER PRIMARY KEY,
    guild_id            INTEGER NOT NULL,
    film                TEXT NOT NULL,
    start_at            INTEGER NOT NULL,
    duration            INTEGER NOT NULL,
    timezone            TEXT NOT NULL,
    -- voice or stage channel of the Discord event (NULL: an external event at `location`)
    voice_channel_id    INTEGER,
    location            TEXT,
    notes               TEXT,
    capacity            INTEGER,
    -- JSON list of reminder offsets in seconds before the start, e.g. [86400, 3600, 0]
    reminder_offsets    TEXT NOT NULL,
    announce_channel_id INTEGER NOT NULL,
    announce_message_id INTEGER,
    event_id            INTEGER,
    thread_id           INTEGER,
    -- scheduled | cancelled   (ended is derived from start_at + duration)
    status              TEXT NOT NULL DEFAULT 'scheduled',
    cancel_reason       TEXT,
    -- number of edits (iCalendar SEQUENCE)
    sequence            INTEGER NOT NULL DEFAULT 0,
    created_by          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX watchparties_guild ON watchparties (guild_id, status, start_at);
CREATE INDEX watchparties_event ON watchparties (event_id);

-- One answer per member and party, changeable. `seq` orders the Going queue: with a capacity the first
-- `capacity` Going members (by seq) have a seat and the rest wait, so a drop promotes the next in line.
-- Choosing Going again after leaving puts a member at the back. Deleted by /club forget-me.
CREATE TABLE rsvps (
    party_id   INTEGER NOT NULL REFERENCES watchparties (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    choice     TEXT NOT NULL CHECK (choice IN ('going', 'maybe', 'no')),
    seq        INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (party_id, user_id)
);
CREATE INDEX rsvps_user ON rsvps (user_id);

-- Reminder jobs (keys from domain.reminders: before:<offset> | start | discussion | spoiler_end).
-- pending -> fired (sent, or carried out) | missed (overdue beyond the grace window when the bot saw it)
--         | dropped (the channel is gone) | superseded (the party was rescheduled or cancelled).
-- A row's id makes the deterministic nonce of its message(s), so a re-send after a crash is not duplicated.
CREATE TABLE reminders (
    id         INTEGER PRIMARY KEY,
    party_id   INTEGER NOT NULL REFERENCES watchparties (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    due_at     INTEGER NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'fired', 'missed', 'dropped', 'superseded')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    done_at    INTEGER,
    UNIQUE (party_id, key, due_at)
);
CREATE INDEX reminders_due ON reminders (state, due_at);
