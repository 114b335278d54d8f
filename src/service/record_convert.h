// Record conversion: the steps between a parsed row of raw Values and what the engine reads,
// shared by batch scoring (batch_score.cc) and live scoring (lead_scorer.cc) so that both give
// the same values for the same records (SCORING.md, "Records": declared fields converted, a
// value that does not convert reported and null, undeclared values typed by their source).
//
// Free functions are pure. A Converter keeps scratch space: one per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "core/value.h"
#include "engine/compiled_model.h"
#include "ingest/record_source.h"

namespace leadscore::service {

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
std::string RefusedBecause(std::vector<ingest::RowError>& warnings, std::string_view field,
                           std::string reason);

// The time of an event's raw `ts`: a string as ParseTimestamp reads it (ISO-8601 or Unix
// seconds), a number as Unix seconds. nullopt when it is missing or unreadable; `problem` then
// says which, worded as batch reports it ("missing ts", "cannot parse \"x\" as a time").
std::optional<Timestamp> EventTime(const Value& raw_ts, std::string& problem);
// The same, for the hot path: false where the above gives nullopt.
bool EventTime(const Value& raw_ts, Timestamp& out, std::string& problem);

// The keys a parser should extract: `reserved` first, then each model field once (a field may
// name a reserved key, like `lead_id`), then each of `checked` not among them. `raw_index[i]`
// gets the position of field i in that list, i.e. in the parsed row, followed by those of
// `checked`.
std::vector<std::string> WantedKeys(std::vector<std::string> reserved,
                                    const std::vector<engine::FieldSlot>& fields,
                                    std::vector<size_t>& raw_index,
                                    const std::vector<engine::FieldSlot>& checked = {});

// Turns raw values into the model's types: declared fields converted, undeclared CSV cells
// inferred (numbers when the whole cell is a finite decimal), undeclared JSON values kept.
// Each value that does not convert is reported and becomes null. The values of `checked`
// fields (declared, and not read: CompiledModel::checked_lead_fields) are converted only to
// report those that do not.
// Not thread-safe; `fields` and `checked` must outlive the Converter.
class Converter {
 public:
  // `raw_index`: where each field, then each checked field, sits in the raw row (see
  // WantedKeys). `csv`: the raw values are CSV cells. `file`: named in the reported errors.
  Converter(const std::vector<engine::FieldSlot>& fields, std::vector<size_t> raw_index, bool csv,
            std::string file, const std::vector<engine::FieldSlot>& checked = NoFields());

  // Whether Convert has anything to report on, were the row's fields not read.
  bool checks_anything() const { return checks_anything_; }

  // Converts the raw value of every field and returns the row by field slot. The returned
  // Values, and strings made by a conversion, live until the next call; other strings view
  // `raw`'s bytes. Each failed conversion is appended to `errors` (file, `line`, field name,
  // "cannot convert ... ; using null").
  std::span<const Value> Convert(std::span<const Value> raw, uint64_t line,
                                 std::vector<ingest::RowError>& errors);

 private:
  static const std::vector<engine::FieldSlot>& NoFields();
  // Converts `raw` to `field`'s declared type (null when it does not convert, reported).
  Value ConvertDeclared(const Value& raw, const engine::FieldSlot& field, std::string& scratch,
                        uint64_t line, std::vector<ingest::RowError>& errors) const;

  const std::vector<engine::FieldSlot>& fields_;
  const std::vector<engine::FieldSlot>& checked_;
  bool checks_anything_ = false;
  std::vector<size_t> raw_index_;
  bool csv_;
  std::string file_;
  std::vector<std::string> scratch_;
  std::string checked_scratch_;
  std::vector<Value> out_;
};

}  // namespace leadscore::service
