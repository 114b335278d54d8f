// Records arriving over HTTP: a request body -> validated lead and event rows for the store,
// and a reason for each rejected one.
//
// A body is one JSON object, a JSON array of objects, or NDJSON (one object per line). The
// rules are those of a JSON Lines file for `leadscore score` (SCORING.md, "Records"), so the
// live score of stored records equals the batch score of the same records:
//   - an event needs lead_id, type and ts (ISO-8601 or Unix seconds); event_id is optional;
//     lead_id, type and event_id may be strings or numbers (a number in its shortest form);
//   - a lead needs lead_id; its other keys are attributes. `{"lead_id": .., "attributes":
//     {..}}` (exactly those two keys) is read as the attributes object itself.
// An event is kept as the JSON object it arrived as; a lead's attributes without lead_id.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "service/record_json.h"
#include "service/rejections.h"
#include "store/store.h"

namespace leadscore::service {

// The longest lead_id the service stores: a longer one could not be addressed in a URL
// (GET or DELETE /v1/leads/{id}: a request's head holds 64 KiB, and a byte of an id may take
// three percent-encoded). Batch scoring has no such limit.
inline constexpr size_t kMaxLeadIdBytes = 16384;
// Whether `id` is longer than that, and why a record holding it is rejected.
inline bool TooLongToStore(std::string_view id) { return id.size() > kMaxLeadIdBytes; }
std::string TooLongReason(std::string_view field, size_t bytes);

// A record as JSON with its keys in the order they came: a field given twice, flat and nested
// (`"utm.source"` and `"utm": {"source"}`), keeps the later one, as batch reads a line.
using RecordJson = nlohmann::ordered_json;

struct EventInput {
  size_t index = 0;
  std::string lead_id, type, event_id;
  Timestamp ts = 0;
  std::string body;  // the object, compact
  // From a CSV file: its cells that read as numbers, as written (service/cell_texts.h).
  std::string cell_texts;
};

struct LeadInput {
  size_t index = 0;
  std::string lead_id;
  RecordJson attributes;  // an object, lead_id among them as it was sent
  // From a CSV file: its cells that read as numbers, as written (service/cell_texts.h).
  RecordJson cell_texts;
};

// The records of a body: objects in order. Fails (400) when the body is not JSON at all; a
// bad NDJSON line or a non-object element is a Rejection instead. A number out of a double's
// range is null, as in a JSON Lines file for batch (record_json.h); with `out_of_range`, those
// numbers are listed there for each record (aligned with the result).
Result<std::vector<RecordJson>> SplitBody(
    std::string_view body, Rejections& rejected,
    std::vector<std::vector<OutOfRangeNumber>>* out_of_range = nullptr);

// Reads `numbers`, the out-of-range numbers of the record at `index`, as batch does: false
// with a Rejection when a field the record cannot do without (`needed`: its lead_id; an
// outcome's time too, which would otherwise default to now) was one; otherwise each is a
// warning (its field null).
bool NoteOutOfRange(const RecordJson& record, size_t index,
                    const std::vector<OutOfRangeNumber>& numbers, Rejections& rejected,
                    Rejections& warnings,
                    std::initializer_list<std::string_view> needed = {"lead_id"});

// Whether a body that opens with '[' at `start` is NDJSON rather than one array: its first line
// is a whole JSON value by itself (`[1]`, a line batch would skip as not an object) and more
// lines follow. A pretty-printed array's first line (`[` or `[{"a": 1},`) is not one.
bool StartsWithAnArrayLine(std::string_view body, size_t start);

// One element of a JSON array read by itself: its value, or (discarded) why it could not be
// read, as batch words a bad line.
struct ArrayElement {
  RecordJson value;
  std::string unreadable;
  std::vector<OutOfRangeNumber> out_of_range;  // its numbers read as null
};
// The texts of the elements of the JSON array that `body` is (but for blanks), split by its
// brackets, strings and commas alone, so that an element that is not JSON is one bad record;
// nullopt when its shape is broken (a string not closed, an empty element, text after it).
std::optional<std::vector<std::string_view>> ArrayElementTexts(std::string_view body);

// The elements of the array `text` holds (after blanks) or, with a `member` name, of the array
// under that top-level key of the object `text` holds, each parsed alone: one element nested
// deeper than a record may be, or that is not JSON, is refused by itself (`unreadable`), and
// the array's own levels do not count against the others. nullopt when there is no such array,
// or its shape is broken (a string not closed, an empty element, text after it).
std::optional<std::vector<ArrayElement>> ReadArrayElements(std::string_view text,
                                                           std::string_view member = "");

// Validates one event object; false with a Rejection when it cannot be stored.
bool ReadEvent(const RecordJson& object, size_t index, EventInput& out, Rejections& rejected);
// kApi: the API's `{"lead_id", "attributes": {..}}` is read as the attributes object; a
// line of a file is read as batch reads it (`attributes.size`).
// `text`, the object's JSON text when the caller has it, gives a lead_id that is a whole
// number beyond 64 bits as written (MayBeWrittenOtherwise); without it, such an id is the
// double's text.
enum class LeadShape { kApi, kFileLine };
bool ReadLead(const RecordJson& object, size_t index, LeadInput& out, Rejections& rejected,
              LeadShape shape = LeadShape::kApi, std::string_view text = {});

// Validates one outcome object: lead_id, outcome (sql | opportunity | won | lost), `at` (or
// `ts`: ISO-8601 or Unix seconds; `default_time` when absent, required when that is nullopt),
// optional numeric `value` (the deal value). `text` as for ReadLead: the lead_id as written when
// it is a whole number beyond 64 bits, so that the outcome finds the lead it names.
bool ReadOutcome(const RecordJson& object, size_t index, std::optional<Timestamp> default_time,
                 store::OutcomeRow& out, Rejections& rejected, std::string_view text = {});

// The text of an id-like JSON value: a non-empty string, or a number in its shortest form; an
// integer the document holds exactly (to 64 bits) as written, as batch reads it from 2^53 on.
bool JsonIdText(const RecordJson& value, std::string& out);

// Whether the document may hold the id `id` otherwise than it was written: a whole number of
// 2^53 or more held as a double (an integer beyond 64 bits), which only its text tells
// (IdAsWritten).
bool MayBeWrittenOtherwise(const RecordJson& id);

// A `ts`-like JSON value as a Timestamp: ISO-8601 text or Unix seconds.
std::optional<Timestamp> JsonTimestamp(const RecordJson& value);

}  // namespace leadscore::service
