#include "service/record_json.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "ingest/jsonl_parser.h"

namespace leadscore::service {
namespace {

bool StartsNumber(char c) { return c == '-' || (c >= '0' && c <= '9'); }

bool InNumber(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Where the JSON string whose opening quote is at `open` ends: at its closing quote, or at the
// text's end when it has none.
size_t StringEnd(std::string_view text, size_t open) {
  size_t i = open + 1;
  while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
  return std::min(i, text.size());
}

// Whether arrays and objects nest deeper than `limit` in `text` (brackets in strings aside).
bool NestedDeeperThan(std::string_view text, int limit) {
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      i = StringEnd(text, i);
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

// `text` with each number literal outside strings that overflows a double written as null
// (padded to its length, so that positions stay), those numbers listed in `found`. False when
// there was none.
bool NullOverflowingNumbers(std::string& text, std::vector<OutOfRangeNumber>& found) {
  std::string last_string, key;
  bool any = false;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      const size_t close = StringEnd(text, i);
      last_string.assign(text, i + 1, close - i - 1);
      i = close + 1;
    } else if (c == ':') {
      key = last_string;
      ++i;
    } else if (StartsNumber(c)) {
      size_t j = i;
      while (j < text.size() && InNumber(text[j])) ++j;
      std::string literal = text.substr(i, j - i);
      if (std::isinf(std::strtod(literal.c_str(), nullptr))) {
        found.push_back({key, literal});
        // The shortest such literal, 1e309, is longer than "null".
        text.replace(i, j - i, "null" + std::string(literal.size() - 4, ' '));
        any = true;
      }
      i = j;
    } else {
      ++i;
    }
  }
  return any;
}

}  // namespace

std::string OutOfRangeNumber::Message() const {
  constexpr size_t kShown = 40;  // digits of a literal that can be thousands long
  return "the number " + text.substr(0, kShown) + (text.size() > kShown ? "..." : "") +
         " is out of range; using null";
}

std::string_view WithoutByteOrderMark(std::string_view body) {
  return body.starts_with(kByteOrderMark) ? body.substr(kByteOrderMark.size()) : body;
}

template <class Json>
Json ParseRecordJson(std::string_view text, std::vector<OutOfRangeNumber>* out_of_range) {
  // nlohmann skips a leading byte-order mark and nests without limit; batch refuses both.
  if (text.starts_with(kByteOrderMark) || NestedDeeperThan(text, ingest::kMaxJsonDepth)) {
    return Json(Json::value_t::discarded);
  }
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded()) return parsed;
  std::string patched(text);
  std::vector<OutOfRangeNumber> found;
  if (!NullOverflowingNumbers(patched, found)) return parsed;
  Json retried = Json::parse(patched, nullptr, false);
  if (!retried.is_discarded() && out_of_range) {
    out_of_range->insert(out_of_range->end(), found.begin(), found.end());
  }
  return retried;
}

template nlohmann::json ParseRecordJson(std::string_view, std::vector<OutOfRangeNumber>*);
template nlohmann::ordered_json ParseRecordJson(std::string_view, std::vector<OutOfRangeNumber>*);

}  // namespace leadscore::service
