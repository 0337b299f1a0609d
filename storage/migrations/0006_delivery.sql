-- One outbox for every message the bot sends on its own (feed posts, reminders, poll results, watch-party
-- announcements and notices, the discussion opener): services.delivery reads it. A row is written in the
-- same transaction as the change that calls for the message, with its payload already rendered, so a retry
-- sends exactly what was stored. The feed-only outbox of 0002 moves into it, pending rows included.
ALTER TABLE outbox RENAME TO outbox_0002;
DROP INDEX outbox_pending;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    -- which feature asked for the message (feed_post, reminder, poll_results, party_announcement, ...)
    kind            TEXT NOT NULL,
    -- the kind's own row (subscription, reminder, poll, party) and which message of it: unique per kind, so
    -- enqueueing the same message twice is a no-op
    owner_id        INTEGER NOT NULL,
    part            TEXT NOT NULL DEFAULT '',
    channel_id      INTEGER NOT NULL,
    payload         TEXT NOT NULL,
    -- pending | held (flood breaker) | delivered | skipped | gone | refused | failed | expired | cancelled
    state           TEXT NOT NULL DEFAULT 'pending',
    -- sent with enforce_nonce; NULL: derived from the row id (services.delivery.nonce_of)
    nonce           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    -- when the first send attempt began (UTC epoch seconds; NULL: never tried): after the nonce window a
    -- retry looks for the message in the channel, after this moment, before sending again
    sending_at      INTEGER,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    -- not sent after this moment (a reminder is useless hours late); NULL: no limit
    expires_at      INTEGER,
    message_id      INTEGER,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    UNIQUE (kind, owner_id, part)
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);
CREATE INDEX outbox_owner ON outbox (kind, owner_id, state);

INSERT INTO outbox (kind, owner_id, part, channel_id, payload, state, nonce, attempts, last_error, sending_at,
                    message_id, created_at, delivered_at)
SELECT 'feed_post', subscription_id, CAST(entry_id AS TEXT), channel_id, payload, state, nonce, attempts,
       last_error, sending_at, message_id, created_at, delivered_at
FROM outbox_0002 ORDER BY id;

DROP TABLE outbox_0002;

