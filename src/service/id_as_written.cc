#include "service/id_as_written.h"

#include <simdjson.h>

#include <span>
#include <vector>

#include "ingest/jsonl_parser.h"
#include "service/record_convert.h"

namespace leadscore::service {
namespace {

// Keeps the id text of the one row the parser finds.
class IdSink : public ingest::RowSink {
 public:
  void OnRow(uint64_t /*line*/, std::span<const Value> values) override {
    std::string_view view;
    if (!values.empty() && IdText(values[0], scratch_, view)) id.emplace(view);
  }
  void OnError(ingest::RowError /*error*/) override {}
  void OnWarning(ingest::RowError /*warning*/) override {}

  std::optional<std::string> id;

 private:
  std::string scratch_;
};

}  // namespace

std::optional<std::string> IdAsWritten(std::string_view object_text, std::string_view key) {
  ingest::JsonlParser parser("", {std::string(key)});
  ingest::Block block;
  block.bytes.reserve(object_text.size() + 1 + simdjson::SIMDJSON_PADDING);
  block.bytes.assign(object_text);
  // One line: a line break between tokens is JSON white space.
  for (char& c : block.bytes) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  block.bytes.push_back('\n');
  IdSink sink;
  parser.Parse(block, sink);
  return sink.id;
}

}  // namespace leadscore::service
