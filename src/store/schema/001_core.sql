-- Version 1: leads, their events and outcomes, API tokens, and a key-value table for the
-- service's own bookkeeping. Times are microseconds since the Unix epoch, UTC.
CREATE TABLE leads (
  lead_id    TEXT PRIMARY KEY,
  attributes TEXT NOT NULL,          -- a JSON object; '{}' for a lead known only from events
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- The event log, in arrival order (seq). A seq is never reused (SQLite AUTOINCREMENT, a
-- PostgreSQL identity), even after the newest event is deleted, so "events after seq N" stays
-- exact.
CREATE TABLE events (
  seq         @SERIAL_PRIMARY_KEY@,
  event_id    TEXT UNIQUE,           -- null: no dedupe
  lead_id     TEXT NOT NULL,
  type        TEXT NOT NULL,
  ts          BIGINT NOT NULL,
  body        TEXT NOT NULL,         -- the JSON object as received
  received_at BIGINT NOT NULL
);
CREATE INDEX events_by_lead ON events (lead_id, seq);

CREATE TABLE outcomes (
  id          @SERIAL_PRIMARY_KEY@,
  lead_id     TEXT NOT NULL,
  kind        TEXT NOT NULL,         -- sql | opportunity | won | lost
  ts          BIGINT NOT NULL,
  value       DOUBLE PRECISION,      -- deal value, when known
  recorded_at BIGINT NOT NULL
);
CREATE INDEX outcomes_by_lead ON outcomes (lead_id, id);

CREATE TABLE tokens (
  hash       TEXT PRIMARY KEY,       -- SHA-256 of the token, hex; the token itself is not kept
  scope      TEXT NOT NULL,          -- read | write | admin
  name       TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
