-- Reaction polls and the film-pick flow (issue 6).

-- A poll's id is the short number members type in /poll commands (scoped to its server by every query).
-- Options are a JSON array of labels in emoji order (option i is NUMBER_EMOJI[i]).
CREATE TABLE polls (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    channel_id        INTEGER NOT NULL,
    -- NULL while the message is being posted ('pending'); a pending row left by a crash is removed at startup
    message_id        INTEGER UNIQUE,
    created_by        INTEGER NOT NULL,
    -- poll: /poll create | pick: /film pick over the round's nominations
    kind              TEXT NOT NULL DEFAULT 'poll' CHECK (kind IN ('poll', 'pick')),
    question          TEXT NOT NULL,
    options           TEXT NOT NULL,
    mode              TEXT NOT NULL CHECK (mode IN ('single', 'multi', 'ranked')),
    max_choices       INTEGER CHECK (max_choices IS NULL OR max_choices >= 1),
    status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'open', 'closed')),
    created_at        INTEGER NOT NULL,
    closes_at         INTEGER NOT NULL,
    closed_at         INTEGER,
    -- deadline | closed | message deleted
    close_reason      TEXT,
    closed_by         INTEGER,
    -- the winning option (NULL: nobody voted, or a tie)
    winner            INTEGER,
    -- 1 once the bot failed to remove a replaced single-choice reaction (no Manage Messages): results say so
    reactions_stale   INTEGER NOT NULL DEFAULT 0,
    -- the close message: 0 to post (retried by the deadline loop, with a nonce so a retry is not doubled), 1 done
    announced         INTEGER NOT NULL DEFAULT 0,
    announce_attempts INTEGER NOT NULL DEFAULT 0,
    result_message_id INTEGER
);
CREATE INDEX polls_due ON polls (status, closes_at);
CREATE INDEX polls_guild ON polls (guild_id, status, id);
CREATE INDEX polls_creator ON polls (guild_id, created_by, created_at);

-- One row per (poll, member, option): the UNIQUE constraint is what stops a vote from counting twice.
-- seq orders a poll's votes by arrival (ranked polls: a member's order of preference); votes recovered by
-- a restart resync get seqs after every vote recorded live (source says which).
CREATE TABLE votes (
    id         INTEGER PRIMARY KEY,
    poll_id    INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    option     INTEGER NOT NULL CHECK (option BETWEEN 0 AND 9),
    seq        INTEGER NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('live', 'resync')),
    created_at INTEGER NOT NULL,
    UNIQUE (poll_id, user_id, option),
    UNIQUE (poll_id, seq)
);
CREATE INDEX votes_user ON votes (user_id);

-- Film nominations. A round is every nomination not yet archived: 'open' ones wait for /film pick,
-- 'in_poll' ones are options of the running pick poll (poll_id), 'archived' ones belong to a decided round.
-- title_key is the normalised title + year (domain.polls.nomination_key); one live nomination per key.
CREATE TABLE nominations (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    title       TEXT NOT NULL,
    year        INTEGER,
    note        TEXT,
    title_key   TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_poll', 'archived')),
    poll_id     INTEGER REFERENCES polls (id) ON DELETE SET NULL,
    -- the option this nomination is in its pick poll (NUMBER_EMOJI[poll_option])
    poll_option INTEGER,
    created_at  INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE UNIQUE INDEX nominations_live_key ON nominations (guild_id, title_key) WHERE status <> 'archived';
CREATE INDEX nominations_round ON nominations (guild_id, status, created_at);
CREATE INDEX nominations_poll ON nominations (poll_id);
CREATE INDEX nominations_user ON nominations (user_id);
