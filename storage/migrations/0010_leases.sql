-- Background work shared between bot processes (PostgreSQL, [discord] shard_ids): a process claims a feed's
-- fetch, a message's send, a reminder or a poll deadline before doing it, for [storage] lease_timeout. Another
-- process skips what is claimed; when the claimant dies its claims expire and the work is taken over. Under
-- SQLite the same code runs with one process and never meets a claim of another.
CREATE TABLE leases (
    -- feed | outbox | reminder | poll
    kind       TEXT NOT NULL,
    item_id    INTEGER NOT NULL,
    -- the claiming process (host:pid:random; "sqlite" for the one process of a SQLite database)
    owner      TEXT NOT NULL,
    -- UTC epoch seconds after which anyone may take the work over
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (kind, item_id)
);
CREATE INDEX leases_expiry ON leases (expires_at);
