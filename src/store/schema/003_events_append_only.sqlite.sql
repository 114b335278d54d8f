-- Version 3: the event log keeps no index but its seq, so that an append writes only the
-- log's last pages (a unique event_id and an index by lead each cost a page write at a random
-- place per event). The service keeps those two indexes in memory (service/event_log.h).
-- SQLite cannot drop a column's UNIQUE: the table is rebuilt, keeping every seq and the next
-- one to hand out.
CREATE TABLE events_v3 (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id    TEXT,                  -- null: no dedupe
  lead_id     TEXT NOT NULL,
  type        TEXT NOT NULL,
  ts          BIGINT NOT NULL,
  body        TEXT NOT NULL,         -- the JSON object as received
  received_at BIGINT NOT NULL
);
INSERT INTO events_v3 (seq, event_id, lead_id, type, ts, body, received_at)
  SELECT seq, event_id, lead_id, type, ts, body, received_at FROM events ORDER BY seq;
DELETE FROM sqlite_sequence WHERE name = 'events_v3';
INSERT INTO sqlite_sequence (name, seq) SELECT 'events_v3', seq FROM sqlite_sequence
  WHERE name = 'events';
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;
