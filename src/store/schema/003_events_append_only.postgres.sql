-- Version 3: the event log keeps no index but its seq, so that an append writes only the
-- log's last pages (a unique event_id and an index by lead each cost a page write at a random
-- place per event). The service keeps those two indexes in memory (service/event_log.h).
ALTER TABLE events DROP CONSTRAINT events_event_id_key;
DROP INDEX events_by_lead;
