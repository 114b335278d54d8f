// A record's JSON text -> nlohmann::json, reading numbers out of a double's range as batch
// scoring's JSON Lines parser does: as null, with a note, rather than failing the record.
//
// nlohmann refuses the whole text at 1e999 ("number overflow"), so a lead row that
// `leadscore score` keeps (its field null, reported) was rejected by `leadscore ingest` and
// POST /v1/leads. ParseRecordJson gives the object with those numbers as null instead.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace leadscore::service {

// One number read as null: the dotted path of the keys it was under (`utm.size`; empty at the
// top level of an array) and the number as written.
struct OutOfRangeNumber {
  std::string key;
  std::string text;
  // "the number 1e999 is out of range; using null", as batch words it.
  std::string Message() const;
  // "the number 1e999 is out of range": why a record whose id it was is refused.
  std::string Reason() const;
};

// The number out of range that `record`'s top-level `field` (an id: lead_id) was written as,
// now null there; nullptr when it was none. Batch refuses such a record rather than reading
// it without an id ("missing lead_id").
const OutOfRangeNumber* IdOutOfRange(const nlohmann::ordered_json& record,
                                     const std::vector<OutOfRangeNumber>& numbers,
                                     std::string_view field);

// `text` parsed; discarded (is_discarded()) when it is not JSON for another reason, or not as
// batch reads a line: nested deeper than ingest::kMaxJsonDepth, or led by a byte-order mark
// (which batch skips only at a file's start; a body's is skipped by WithoutByteOrderMark).
// Numbers out of range are null in the result and listed in `out_of_range`.
// Json: nlohmann::json, or nlohmann::ordered_json to keep the keys in the order they came.
template <class Json = nlohmann::json>
Json ParseRecordJson(std::string_view text, std::vector<OutOfRangeNumber>* out_of_range);

// `text`, JSON, with each number out of a double's range written `null`, and nothing else
// changed: `{"id":123456789012345678901234567890,"x":1e999}` keeps its id as written.
std::string OutOfRangeAsNull(std::string_view text);

// A request body without the byte-order mark it may start with, as a file's is skipped.
std::string_view WithoutByteOrderMark(std::string_view body);

}  // namespace leadscore::service
