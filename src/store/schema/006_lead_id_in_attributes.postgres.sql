-- Version 6: see 006_lead_id_in_attributes.sqlite.sql; to_json quotes the id as JSON.
UPDATE leads SET attributes = '{"lead_id":' || to_json(lead_id)::text || ',' || substr(attributes, 2)
  WHERE attributes <> '{}';
