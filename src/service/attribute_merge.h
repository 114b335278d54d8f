// A lead upsert's attributes merged into the stored ones, field by field.
//
// A field is what scoring reads: a path to a value that is not an object, the keys along it
// joined with dots (model-file.md: `{"utm":{"source":"a"}}` gives `utm.source`, and a key
// spelled `"utm.source"` is the same field). So an upsert sets the fields it gives and keeps
// the others: `{"utm":{"medium":"b"}}` after `{"utm":{"source":"a"}}` keeps `utm.source`, and
// `{"utm.source":"c"}` replaces the `utm.source` given through an object.
//
// A field already stored keeps its place and its spelling; a new one is added as the upsert
// spells it, through the objects already stored along that spelling. Where a field and an
// object would need one key (`utm` given as "x" while `utm.source` is stored through an
// object), the result is every field under its dotted path in one flat object, which scoring
// reads alike.
//
// Linear in the fields of both (hash indexes, no search of a key in an object). Pure.
#pragma once

#include <string>
#include <vector>

#include "service/record_input.h"

namespace leadscore::service {

// `stored` (an object; anything else counts as none) with the fields of `upsert` (an object)
// set. `set_paths` gets the dotted path of each field the upsert gives, once each.
RecordJson MergeAttributes(RecordJson stored, const RecordJson& upsert,
                           std::vector<std::string>& set_paths);

}  // namespace leadscore::service
