// The id a record's JSON text holds under a key, read as batch scoring reads it from a line of
// a JSON Lines file (ingest/jsonl_parser.h): a whole number from 2^53 on is its literal.
//
// A parsed JSON document (nlohmann) holds an integer beyond 64 bits as a double, and so loses
// which of the integers that round alike was written; this reads the text again for it. It is
// the slow path, for those ids alone (JsonIdText takes the rest). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace leadscore::service {

// The id text of `key` in the JSON object `object_text` as IdText gives it for batch, nullopt
// when the text is no object or the key holds no id.
std::optional<std::string> IdAsWritten(std::string_view object_text, std::string_view key);

}  // namespace leadscore::service
