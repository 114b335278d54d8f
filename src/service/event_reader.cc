#include "service/event_reader.h"

#include <simdjson.h>

#include "core/text_lines.h"
#include "service/record_convert.h"
#include "service/record_input.h"
#include "service/record_json.h"

namespace leadscore::service {
namespace {

namespace od = simdjson::ondemand;

// Whether nothing but whitespace follows what was read (simdjson has no location past the end).
bool AtEnd(od::document& document) {
  const char* rest;
  return document.current_location().get(rest) != simdjson::SUCCESS;
}

// A parser for a body of `size` bytes. Small bodies (single events) reuse one per thread: a new
// parser allocates its buffers, which was a tenth of the HTTP threads' time per single event.
// Large ones get their own, so that no thread keeps a large body's buffers.
class BodyParser {
 public:
  explicit BodyParser(size_t size) : parser_(size <= kReused ? Reused() : own_) {}
  od::parser& get() { return parser_; }

 private:
  static constexpr size_t kReused = 64 * 1024;
  static od::parser& Reused() {
    thread_local od::parser parser;
    return parser;
  }
  od::parser own_;
  od::parser& parser_;
};

// `raw`, a view into `padded`, as the same bytes of `body` (padded's source), without the
// whitespace simdjson leaves after a value.
std::string_view InBody(std::string_view raw, const simdjson::padded_string& padded,
                        std::string_view body) {
  size_t end = raw.find_last_not_of(" \t\r\n");
  size_t length = end == std::string_view::npos ? 0 : end + 1;
  return body.substr(static_cast<size_t>(raw.data() - padded.data()), length);
}

// `text` without the whitespace between tokens. Copies it as is when it is not valid JSON: the
// parser then says why.
std::string Minify(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  if (simdjson::minify(text.data(), text.size(), out.data(), length) != simdjson::SUCCESS) {
    return std::string(text);
  }
  out.resize(length);
  return out;
}

// The elements of an array body; false when the body is not a valid JSON array.
bool SplitArray(std::string_view body, std::vector<std::string>& out, Rejections& rejected) {
  simdjson::padded_string padded(body);
  BodyParser parser(body.size());
  od::document document;
  od::array array;
  if (parser.get().iterate(padded).get(document) != simdjson::SUCCESS ||
      document.get_array().get(array) != simdjson::SUCCESS) {
    return false;
  }
  for (auto element : array) {
    od::value value;
    od::json_type type;
    if (element.get(value) != simdjson::SUCCESS || value.type().get(type) != simdjson::SUCCESS) {
      return false;
    }
    if (type != od::json_type::object) {
      rejected.push_back({out.size(), "", "not a JSON object"});
      out.emplace_back();
      if (type == od::json_type::array) {
        od::array inner;
        std::string_view skipped;
        if (value.get_array().get(inner) || inner.raw_json().get(skipped)) return false;
      }
      continue;
    }
    od::object object;
    std::string_view raw;
    if (value.get_object().get(object) || object.raw_json().get(raw)) return false;
    out.emplace_back(InBody(raw, padded, body));  // EventReader minifies it
  }
  return AtEnd(document);
}

// The body as one value that may span lines (`raw`, a view into it); false when it is not
// exactly one JSON value. `is_object` tells whether that value is an object.
bool WholeValue(std::string_view body, std::string_view& raw, bool& is_object) {
  simdjson::padded_string padded(body);
  BodyParser parser(body.size());
  od::document document;
  if (parser.get().iterate(padded).get(document) != simdjson::SUCCESS) return false;
  od::json_type type;
  if (document.type().get(type) != simdjson::SUCCESS) return false;
  is_object = type == od::json_type::object;
  if (is_object) {
    od::object object;
    if (document.get_object().get(object) || object.raw_json().get(raw)) return false;
  } else if (document.raw_json().get(raw) != simdjson::SUCCESS) {
    return false;
  }
  if (!AtEnd(document)) return false;
  raw = InBody(raw, padded, body);
  return true;
}

}  // namespace

Result<std::vector<std::string>> SplitObjects(std::string_view body, Rejections& rejected) {
  body = WithoutByteOrderMark(body);  // as a file's
  size_t start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return Error(InvalidArgument("the body is empty"));
  std::vector<std::string> out;
  if (body[start] == '[' && !StartsWithAnArrayLine(body, start)) {
    Rejections non_objects;
    if (SplitArray(body, out, non_objects)) {
      for (Rejection& r : non_objects.Listed()) rejected.push_back(std::move(r));
    } else {
      // Not JSON as a whole: each element read by itself, so that one that is not JSON (a raw
      // control character, bytes that are not UTF-8) is rejected alone, in batch's words.
      const std::optional<std::vector<std::string_view>> texts = ArrayElementTexts(body);
      if (!texts) {
        return Error(InvalidArgument("the body is not valid JSON (expected an array of objects)"));
      }
      out.assign(texts->begin(), texts->end());
    }
    if (out.empty()) return Error(InvalidArgument("the body holds no record (an empty array)"));
    return out;
  }
  // NDJSON unless the first line is not a whole object and the body is one value.
  size_t first_end = body.find('\n', start);
  std::string_view first_line =
      body.substr(start, first_end == std::string_view::npos ? body.npos : first_end - start);
  std::string_view whole;
  bool is_object = false;
  bool first_line_whole = WholeValue(first_line, whole, is_object) && is_object;
  if (!first_line_whole && WholeValue(body, whole, is_object)) {
    if (!is_object) return Error(InvalidArgument("the body must be an object or an array"));
    out.emplace_back(whole);  // EventReader minifies it
    return out;
  }
  ForEachRecordLine(body,
                    [&](std::string_view line, size_t /*offset*/) { out.emplace_back(line); });
  return out;
}

std::vector<std::string> AlignedObjectTexts(std::string_view body, size_t count) {
  Rejections ignored;
  auto split = SplitObjects(body, ignored);
  return split && split->size() == count ? std::move(*split) : std::vector<std::string>();
}

// Takes the one row the parser finds in a record.
class EventReader::Sink : public ingest::RowSink {
 public:
  void OnRow(uint64_t /*line*/, std::span<const Value> values) override {
    row.assign(values.begin(), values.end());
    got_row = true;
  }
  void OnError(ingest::RowError error) override { problem = std::move(error.message); }
  // A value out of a double's range, made null: it only explains a refused id or ts, since
  // the stored event is the text as written.
  void OnWarning(ingest::RowError warning) override { warnings.push_back(std::move(warning)); }

  std::vector<Value> row;
  bool got_row = false;
  std::string problem;
  std::vector<ingest::RowError> warnings;
};

EventReader::EventReader() : parser_("", {"lead_id", "type", "ts", "event_id"}) {}

bool EventReader::Read(std::string text, size_t index, EventInput& out, Rejections& rejected) {
  auto reject = [&](const char* field, std::string message) {
    rejected.push_back({index, field, std::move(message)});
    return false;
  };
  // Most events arrive compact; only the others are copied. After this a raw newline can only
  // be inside a string, where JSON forbids it: one line per record.
  if (text.find_first_of(" \t\r\n") != std::string::npos) text = Minify(text);
  if (text.find('\n') != std::string::npos) return reject("", "invalid JSON: a raw line break");
  block_.bytes.reserve(text.size() + 1 + simdjson::SIMDJSON_PADDING);
  block_.bytes.assign(text);
  block_.bytes.push_back('\n');
  Sink sink;
  parser_.Parse(block_, sink);
  if (!sink.got_row) return reject("", sink.problem.empty() ? "not a JSON object" : sink.problem);
  const std::vector<Value>& values = sink.row;
  out.index = index;
  std::string_view view;
  if (!IdText(values[0], scratch_, view)) {
    return reject("lead_id",
                  RefusedBecause(sink.warnings, "lead_id", NoIdReason(values[0], "lead_id")));
  }
  out.lead_id.assign(view);
  if (!IdText(values[1], scratch_, view)) {
    return reject("type",
                  RefusedBecause(sink.warnings, "type", NoIdReason(values[1], "event type")));
  }
  out.type.assign(view);
  std::string problem;
  std::optional<Timestamp> ts = EventTime(values[2], problem);
  if (!ts) {
    return reject("ts", RefusedBecause(sink.warnings, "ts", problem));
  }
  out.ts = *ts;
  // As batch scoring reads it: an event_id that is no id (empty, a bool, an array, an object)
  // is none, and the event is kept.
  out.event_id.clear();
  if (IdText(values[3], scratch_, view)) out.event_id.assign(view);
  for (auto [field, id] : {std::pair{"lead_id", std::string_view(out.lead_id)},
                           {"type", out.type},
                           {"event_id", out.event_id}}) {
    if (HoldsNul(id)) return reject(field, NulReason(field));
  }
  if (TooLongToStore(out.lead_id)) {
    return reject("lead_id", TooLongReason("lead_id", out.lead_id.size()));
  }
  out.body = std::move(text);
  return true;
}

}  // namespace leadscore::service
