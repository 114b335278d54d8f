-- Version 5: the CSV cells of a record that read as numbers, as the file wrote them: a JSON
-- object such as {"zip": "01500", "budget": "1.50"} beside a lead's `attributes` (which hold
-- 1500 and 1.5) or an event's `body`. The service reads them as `leadscore score` reads the
-- file: a declared string keeps "01500", a declared number is 1.5, an undeclared cell is a
-- number (service/cell_texts.h). '{}' for a lead sent as JSON; null for such an event.
ALTER TABLE leads ADD COLUMN cell_texts TEXT NOT NULL DEFAULT '{}';
ALTER TABLE events ADD COLUMN cell_texts TEXT;
