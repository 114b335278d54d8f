// Events as JSON text (an HTTP body, the lines of a JSON Lines file) -> EventInputs.
//
// Each object is read by the batch JSON Lines parser, so that a stored event means exactly what
// the same line means to `leadscore score`: the same validation, ids, times, and the last of a
// repeated key wins (jsonl_parser.h). An event is stored as its object's text with the whitespace
// between tokens removed (keys in the order they came). It replaced a DOM parse and re-dump
// (nlohmann) that cost 2.9 us per event on the HTTP workers, the largest item of a batched POST
// /v1/events.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ingest/jsonl_parser.h"
#include "service/record_input.h"

namespace leadscore::service {

// The object texts of a body, in order, as they are in it: one JSON object (it may span lines),
// a JSON array of objects, or NDJSON (one object per non-blank line). Fails (400) when the body is
// empty, is an array that is not valid JSON or holds nothing, or is a JSON value that is not an
// object. An element or line that is not an object is a Rejection, and its text is left empty.
Result<std::vector<std::string>> SplitObjects(std::string_view body, Rejections& rejected);

// SplitObjects' texts when they align with the `count` records SplitBody gave `body` (whose
// Rejections it already reported), else none. For the rare record whose id only its text tells
// (IdAsWritten).
std::vector<std::string> AlignedObjectTexts(std::string_view body, size_t count);

// Not thread-safe: one per request or per thread.
class EventReader {
 public:
  EventReader();

  // Reads the object `text` (record `index` of its body or file; it may span lines) into `out`,
  // keeping the text, minified, as the stored body. False with a Rejection when it cannot be
  // stored.
  bool Read(std::string text, size_t index, EventInput& out, Rejections& rejected);

 private:
  class Sink;
  ingest::JsonlParser parser_;
  ingest::Block block_;
  std::string scratch_;
};

}  // namespace leadscore::service
