// The rules every reader of records applies to a row's ids and time, and the words it
// reports them in (SCORING.md, "Records" and "Batch output"), shared by batch scoring, the live
// service, `leadscore ingest` and the predictive commands (train, evaluate, predict), so that
// a row one of them skips is skipped by all, for the same reason.
//
// Free functions; pure.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "core/value.h"
#include "ingest/record_source.h"

namespace leadscore::ingest {

// A raw value as an error message shows it: control bytes, quotes and backslashes escaped, at
// most 60 bytes of a string (then "...").
std::string Shown(const Value& v);

// The text of an id-like value (lead_id, type, event_id): strings as they are, numbers in their
// shortest form (FormatNumber; the text is written to `scratch`, which `out` then views).
// Returns false, leaving `out` unspecified, for null, bools, times, the empty string and the
// JSON text of an array or an object (Value::JsonText): none of them is an id.
// Inline for strings, as it runs three times an event; NumberIdText takes the rest.
bool NumberIdText(const Value& v, std::string& scratch, std::string_view& out);
inline bool IdText(const Value& v, std::string& scratch, std::string_view& out) {
  if (v.is_string()) {
    out = v.str();
    return !out.empty() && !v.is_json_text();
  }
  return NumberIdText(v, scratch, out);
}

// Whether an id holds U+0000 (NUL). Such a record is refused wherever records come in (batch
// scoring, `leadscore ingest`, the API), naming the field (NulReason), on every store alike:
// PostgreSQL's text cannot hold the character, which SQLite kept and PostgreSQL cut the id
// at, and an id holding it is surely a mistake.
inline bool HoldsNul(std::string_view id) { return id.find('\0') != std::string_view::npos; }
// "lead_id holds the character U+0000 (NUL), which no id may hold", for `field`.
std::string NulReason(std::string_view field);

// Why IdText refused `v`, for a report about `what` ("lead_id", "event type"): "missing
// lead_id" for null or the empty string, else "lead_id must be a string or a number, not an
// object" (an array, true, false, a time).
std::string NoIdReason(const Value& v, std::string_view what);

// Why a row is skipped whose lead_id was read at `first_line` of the same file (SCORING.md,
// "Batch output": the first row of a lead counts): `lead_id "A" already read at line 2; row
// skipped`. Batch scoring and `leadscore ingest` word it alike.
std::string AlreadyReadReason(std::string_view lead_id, uint64_t first_line);

// `reason` for refusing a row's required `field` (lead_id, type, ts), unless the reader warned
// that it made that value null (a JSON number out of a double's range: "the number 1e999 is
// out of range; using null", see RowSink::OnWarning): then the warning's reason ("the number
// 1e999 is out of range"), and the warning leaves `warnings`, since the row is not read.
std::string RefusedBecause(std::vector<RowError>& warnings, std::string_view field,
                           std::string reason);

// " (Unix seconds past year 9999: milliseconds? write seconds)" for a time that is most
// likely in milliseconds (JavaScript's Date.now()); empty otherwise.
std::string MillisecondsHint(const Value& raw);

// The time of an event's raw `ts`: a string as ParseTimestamp reads it (ISO-8601 or Unix
// seconds), a number as Unix seconds. nullopt when it is missing or unreadable; `problem` then
// says which, worded as batch reports it ("missing ts", "cannot parse \"x\" as a time (ISO-8601 or
// Unix seconds)").
std::optional<Timestamp> EventTime(const Value& raw_ts, std::string& problem);
// The same, for the hot path: false where the above gives nullopt.
bool EventTime(const Value& raw_ts, Timestamp& out, std::string& problem);

// Fails when the CSV header of `source` lacks one of `needed` (a column every row needs):
// "<file>:<line>: the header has no `ts` column (it has: ...)", with a hint when a column is the
// name but for blanks or a byte-order mark around it. OK for JSON Lines.
Status RequireColumns(const RecordSource& source, std::initializer_list<const char*> needed);

}  // namespace leadscore::ingest
