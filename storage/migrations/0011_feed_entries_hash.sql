-- Issue 13: many servers send a new lastBuildDate (or Atom updated) with every response and nothing else
-- changed. The fingerprint of the last scanned document without the text of its feed-level dates
-- (domain.feedkeys.entries_fingerprint, "gaps:digest") recognises such a body without the key scan.
ALTER TABLE feeds ADD COLUMN entries_hash TEXT;
