-- Version 5: a lead's CSV cells that read as numbers, as the file wrote them: a JSON object
-- such as {"zip": "01500", "budget": "1.50"} beside `attributes` (which holds 1500 and 1.5).
-- The service reads them as `leadscore score` reads the file: a declared string keeps "01500",
-- a declared number is 1.5, an undeclared cell is a number. '{}' for a lead sent as JSON.
ALTER TABLE leads ADD COLUMN cell_texts TEXT NOT NULL DEFAULT '{}';
