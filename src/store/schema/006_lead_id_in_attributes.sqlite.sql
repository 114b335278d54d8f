-- Version 6: a lead's attributes hold its lead_id as it was sent (the number 1000 or the
-- text "1000"), so that a lead condition reads the id as batch scoring reads it from the file;
-- a lead known only from events keeps '{}', where batch reads lead_id as null. The leads
-- stored before this version were sent with attributes and keep their id as text, as they
-- were read until now; a lead sent with no attribute at all cannot be told from one known only
-- from events, and reads as one.
UPDATE leads SET attributes = '{"lead_id":' || json_quote(lead_id) || ',' || substr(attributes, 2)
  WHERE attributes <> '{}';
