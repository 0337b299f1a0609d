-- Issue 13: many servers ignore conditional GET and answer 200 with the same bytes every poll. The
-- fingerprint of the last body read (with its content type and URL, which decide how it parses) lets an
-- identical body count as "not modified" without a parse; last_changed_at is when the body last differed,
-- shown in /feed list.
ALTER TABLE feeds ADD COLUMN body_hash TEXT;
ALTER TABLE feeds ADD COLUMN last_changed_at BIGINT;
UPDATE feeds SET last_changed_at = last_success_at;
