-- Where a subscription's posts land and what follows each post (issue 14).
-- channel_kind: text | announcement | forum (forum and media channels) | thread; recorded at /feed add
-- (a channel keeps its type on Discord), so the engine knows without asking Discord.
ALTER TABLE subscriptions ADD COLUMN channel_kind TEXT NOT NULL DEFAULT 'text';
-- Minutes after which the thread under each post auto-archives (1440 or 10080); NULL: no threads.
ALTER TABLE subscriptions ADD COLUMN thread_archive BIGINT;
-- 1: each post in an announcement channel is published to following servers, once.
ALTER TABLE subscriptions ADD COLUMN publish BIGINT NOT NULL DEFAULT 0;
