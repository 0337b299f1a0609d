-- When the first attempt to send a post / reminder began (UTC epoch seconds; NULL: never tried). Discord
-- de-duplicates an enforce_nonce re-send only for a few minutes, so a retry long after that first checks the
-- channel's recent history for the message instead of trusting the nonce alone.
ALTER TABLE outbox ADD COLUMN sending_at BIGINT;
ALTER TABLE reminders ADD COLUMN sending_at BIGINT;
