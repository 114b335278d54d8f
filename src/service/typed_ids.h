// TypedIds: the ids of a stored record as conditions read them, where that differs from the
// text that names the lead, the type or the event.
//
// Batch scoring reads a CSV cell 007 in a lead's `lead_id` column as the lead "007", and a
// condition that reads `lead_id` as the number 7; likewise an event's `type`, `event_id` and
// `lead_id` (SCORING.md: an undeclared CSV cell that reads as a number is one). The store keeps
// an id as its text, the name, and the cell's text beside it (service/cell_texts.h). Read back
// for scoring, such a record gives the value conditions read under TypedIdKey(column), and a
// TypedIds puts it in the row's place of the id for the conversion to the model's fields only.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/value.h"

namespace leadscore::service {

// The key of the value conditions read of the id `column` (lead_id, type or event_id). It starts
// with a control character: no key a client or a CSV header gives is named so.
std::string TypedIdKey(std::string_view column);

class TypedIds {
 public:
  // None: For gives each row as it is.
  TypedIds() = default;
  // Appends to `wanted` (the keys a parser extracts, the reserved ones first) the TypedIdKey of
  // each id among its first `reserved` keys that a field reads (`raw_index`, see WantedKeys).
  TypedIds(std::vector<std::string>& wanted, size_t reserved, const std::vector<size_t>& raw_index);

  // `values` (a row of the keys above) with each id that has a typed value in its place: the
  // row to convert to the model's fields. `values` itself when there is none. Valid until the
  // next call.
  std::span<const Value> For(std::span<const Value> values);

 private:
  std::vector<std::pair<size_t, size_t>> slots_;  // (the id's, its typed value's) in the row
  std::vector<Value> row_;
};

}  // namespace leadscore::service
