#include "service/record_json.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

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
// (padded to its length when `keep_positions`), those numbers listed in `found` under their
// keys' dotted path (`utm.size`), as batch names a nested field. False when there was none.
bool NullOverflowingNumbers(std::string& text, std::vector<OutOfRangeNumber>& found,
                            bool keep_positions = true) {
  // The key of each open object (arrays add no level to a path), and the last string read.
  std::vector<std::pair<bool, std::string>> open;  // {is_object, key}
  std::string last_string;
  auto path = [&] {
    std::string out;
    for (const auto& [is_object, key] : open) {
      if (!is_object) continue;
      if (!out.empty()) out += '.';
      out += key;
    }
    return out;
  };
  bool any = false;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      const size_t close = StringEnd(text, i);
      last_string.assign(text, i + 1, close - i - 1);
      i = close + 1;
    } else if (c == ':') {
      if (!open.empty()) open.back().second = last_string;
      ++i;
    } else if (c == '{' || c == '[') {
      open.emplace_back(c == '{', "");
      ++i;
    } else if (c == '}' || c == ']') {
      if (!open.empty()) open.pop_back();
      ++i;
    } else if (StartsNumber(c)) {
      size_t j = i;
      while (j < text.size() && InNumber(text[j])) ++j;
      std::string literal = text.substr(i, j - i);
      if (std::isinf(std::strtod(literal.c_str(), nullptr))) {
        found.push_back({path(), literal});
        // The shortest such literal, 1e309, is longer than "null".
        const std::string null = "null" + std::string(keep_positions ? literal.size() - 4 : 0, ' ');
        text.replace(i, j - i, null);
        any = true;
        j = i + null.size();
      }
      i = j;
    } else {
      ++i;
    }
  }
  return any;
}

// Builds a document with keys in the order they came (nlohmann::ordered_json) in time linear in
// the text. nlohmann's own builder looks each key up in its object first, a search of a vector
// there: a lead of 32,000 attributes took 0.4 s to parse, and the time grew with the square of
// the keys. This one appends each key and settles repeated keys once per object (the first
// place, the last value, as nlohmann's builder does).
class OrderedBuilder {
 public:
  using Json = nlohmann::ordered_json;
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;
  using Entries = Json::object_t::Container;

  explicit OrderedBuilder(Json& root) : root_(root) {}

  bool null() { return Put(Json(nullptr)) != nullptr; }
  bool boolean(bool v) { return Put(Json(v)) != nullptr; }
  bool number_integer(number_integer_t v) { return Put(Json(v)) != nullptr; }
  bool number_unsigned(number_unsigned_t v) { return Put(Json(v)) != nullptr; }
  bool number_float(number_float_t v, const string_t& /*literal*/) {
    return Put(Json(v)) != nullptr;
  }
  bool string(string_t& v) { return Put(Json(std::move(v))) != nullptr; }
  bool binary(binary_t& v) { return Put(Json::binary(std::move(v))) != nullptr; }
  bool start_object(std::size_t /*size*/) {
    stack_.push_back(Put(Json(Json::value_t::object)));
    return true;
  }
  bool key(string_t& k) {
    Entries& entries = EntriesOf(*stack_.back());
    entries.emplace_back(std::move(k), Json());
    key_target_ = &entries.back().second;
    return true;
  }
  bool end_object() {
    Settle(EntriesOf(*stack_.back()));
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*size*/) {
    stack_.push_back(Put(Json(Json::value_t::array)));
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& /*error*/) {
    return false;
  }

 private:
  static Entries& EntriesOf(Json& object) {
    return static_cast<Entries&>(*object.get_ptr<Json::object_t*>());
  }

  // Where the value goes: the root, the end of the open array, or the open object's last key.
  // The containers on the stack are never appended to while a child is open, so the pointers
  // into them stay valid.
  Json* Put(Json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& top = *stack_.back();
    if (top.is_array()) {
      auto& items = *top.get_ptr<Json::array_t*>();
      items.push_back(std::move(value));
      return &items.back();
    }
    *key_target_ = std::move(value);
    return key_target_;
  }

  // A key given twice: its first place, its last value.
  static void Settle(Entries& entries) {
    if (entries.size() < 2) return;
    std::unordered_map<std::string_view, size_t> first;
    first.reserve(entries.size());
    bool repeated = false;
    for (size_t i = 0; i < entries.size() && !repeated; ++i) {
      repeated = !first.try_emplace(entries[i].first, i).second;
    }
    if (!repeated) return;
    Entries settled;
    std::unordered_map<std::string, size_t> at;
    for (auto& [key, value] : entries) {
      auto [it, inserted] = at.try_emplace(key, settled.size());
      if (inserted) {
        settled.emplace_back(key, std::move(value));
      } else {
        settled[it->second].second = std::move(value);
      }
    }
    entries.swap(settled);
  }

  Json& root_;
  std::vector<Json*> stack_;
  Json* key_target_ = nullptr;
};

// `text` parsed (discarded when it is not JSON), keys in the order they came.
template <class Json>
Json Parse(std::string_view text) {
  if constexpr (std::is_same_v<Json, nlohmann::ordered_json>) {
    Json out;
    OrderedBuilder builder(out);
    if (!Json::sax_parse(text, &builder)) return Json(Json::value_t::discarded);
    return out;
  } else {
    return Json::parse(text, nullptr, /*allow_exceptions=*/false);
  }
}

}  // namespace

std::string OutOfRangeNumber::Reason() const {
  constexpr size_t kShown = 40;  // digits of a literal that can be thousands long
  return "the number " + text.substr(0, kShown) + (text.size() > kShown ? "..." : "") +
         " is out of range";
}

std::string OutOfRangeNumber::Message() const { return Reason() + "; using null"; }

const OutOfRangeNumber* IdOutOfRange(const nlohmann::ordered_json& record,
                                     const std::vector<OutOfRangeNumber>& numbers,
                                     std::string_view field) {
  const auto value = record.find(field);
  if (value == record.end() || !value->is_null()) return nullptr;
  for (const OutOfRangeNumber& number : numbers) {
    if (number.key == field) return &number;
  }
  return nullptr;
}

std::string OutOfRangeAsNull(std::string_view text) {
  std::string out(text);
  std::vector<OutOfRangeNumber> found;
  NullOverflowingNumbers(out, found, /*keep_positions=*/false);
  return out;
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
  Json parsed = Parse<Json>(text);
  if (!parsed.is_discarded()) return parsed;
  std::string patched(text);
  std::vector<OutOfRangeNumber> found;
  if (!NullOverflowingNumbers(patched, found)) return parsed;
  Json retried = Parse<Json>(patched);
  if (!retried.is_discarded() && out_of_range) {
    out_of_range->insert(out_of_range->end(), found.begin(), found.end());
  }
  return retried;
}

template nlohmann::json ParseRecordJson(std::string_view, std::vector<OutOfRangeNumber>*);
template nlohmann::ordered_json ParseRecordJson(std::string_view, std::vector<OutOfRangeNumber>*);

}  // namespace leadscore::service
