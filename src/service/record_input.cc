#include "service/record_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/text_lines.h"
#include "core/value.h"
#include "ingest/jsonl_parser.h"
#include "service/id_as_written.h"
#include "service/record_convert.h"
#include "service/record_json.h"

namespace leadscore::service {

using json = RecordJson;

namespace {

constexpr std::string_view kBlanks = " \t\r\n";

// The index of the quote that closes the string whose opening quote is at `i`; npos if none.
size_t StringEnd(std::string_view text, size_t i) {
  for (++i; i < text.size() && text[i] != '"'; i += text[i] == '\\' ? 2 : 1) {
  }
  return i < text.size() ? i : std::string_view::npos;
}

// The elements of the JSON array that `text` starts with (after blanks), each as written, and
// in `end` where the array ends; nullopt when `text` does not start with one array whose
// elements are all there (only brackets, strings and commas are looked at: the elements are
// checked when parsed, so that one bad element is refused by itself). An empty element
// (`[1,,2]`, `[1,]`) leaves the array's shape unknown: nullopt.
std::optional<std::vector<std::string_view>> ArrayElementTexts(std::string_view text, size_t& end) {
  std::vector<std::string_view> out;
  size_t i = text.find_first_not_of(kBlanks);
  if (i == std::string_view::npos || text[i] != '[') return std::nullopt;
  int depth = 0;
  size_t start = i + 1;
  for (++i; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      i = StringEnd(text, i);
      if (i == std::string_view::npos) return std::nullopt;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if ((c == ',' || c == ']') && depth == 0) {
      std::string_view element = text.substr(start, i - start);
      const bool blank = element.find_first_not_of(kBlanks) == std::string_view::npos;
      if (blank && (c == ',' || !out.empty())) return std::nullopt;
      if (!blank) out.push_back(element);
      if (c == ']') {
        end = i + 1;
        return out;
      }
      start = i + 1;
    }
  }
  return std::nullopt;
}

// The text from the value of the top-level key `name` of the object `text` starts with to the
// end of `text`; nullopt when `text` is no object or has no such key (compared as written).
std::optional<std::string_view> MemberText(std::string_view text, std::string_view name) {
  size_t i = text.find_first_not_of(kBlanks);
  if (i == std::string_view::npos || text[i] != '{') return std::nullopt;
  int depth = 0;
  bool at_key = true;
  for (++i; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      const size_t end = StringEnd(text, i);
      if (end == std::string_view::npos) return std::nullopt;
      if (depth == 0 && at_key) {
        const size_t colon = text.find_first_not_of(kBlanks, end + 1);
        if (colon == std::string_view::npos || text[colon] != ':') return std::nullopt;
        if (text.substr(i + 1, end - i - 1) == name) return text.substr(colon + 1);
        at_key = false;
        i = colon;
      } else {
        i = end;
      }
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (depth == 0) return std::nullopt;
      --depth;
    } else if (c == ',' && depth == 0) {
      at_key = true;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<std::string_view>> ArrayElementTexts(std::string_view body) {
  size_t end = 0;
  std::optional<std::vector<std::string_view>> texts = ArrayElementTexts(body, end);
  if (!texts || body.find_first_not_of(kBlanks, end) != std::string_view::npos) {
    return std::nullopt;
  }
  return texts;
}

std::optional<std::vector<ArrayElement>> ReadArrayElements(std::string_view text,
                                                           std::string_view member) {
  if (!member.empty()) {
    const std::optional<std::string_view> value = MemberText(text, member);
    if (!value) return std::nullopt;
    text = *value;
  }
  // A member's array is followed by its object's end, which the parse of the whole checked.
  size_t end = 0;
  const std::optional<std::vector<std::string_view>> texts =
      member.empty() ? ArrayElementTexts(text) : ArrayElementTexts(text, end);
  if (!texts) return std::nullopt;
  std::vector<ArrayElement> out(texts->size());
  for (size_t i = 0; i < texts->size(); ++i) {
    out[i].value = ParseRecordJson<json>((*texts)[i], &out[i].out_of_range);
    if (out[i].value.is_discarded()) out[i].unreadable = ingest::DescribeInvalidJson((*texts)[i]);
  }
  return out;
}

bool StartsWithAnArrayLine(std::string_view body, size_t start) {
  const size_t line_end = body.find('\n', start);
  if (line_end == std::string_view::npos ||
      body.find_first_not_of(kBlanks, line_end) == std::string_view::npos) {
    return false;
  }
  return !ParseRecordJson<json>(body.substr(start, line_end - start), nullptr).is_discarded();
}

Result<std::vector<json>> SplitBody(std::string_view body, Rejections& rejected,
                                    std::vector<std::vector<OutOfRangeNumber>>* out_of_range) {
  body = WithoutByteOrderMark(body);
  size_t start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return Error(InvalidArgument("the body is empty"));
  std::vector<json> out;
  if (out_of_range) out_of_range->clear();
  // Adds a record (null for one rejected) and the numbers out of range it held.
  auto add = [&](json record, std::vector<OutOfRangeNumber> numbers) {
    out.push_back(std::move(record));
    if (out_of_range) out_of_range->push_back(std::move(numbers));
  };
  std::vector<OutOfRangeNumber> numbers;
  if (body[start] == '[' && !StartsWithAnArrayLine(body, start)) {
    json parsed = ParseRecordJson<json>(body, &numbers);
    // Read element by element when not read whole: a record nested too deep, or one that is no
    // JSON (a raw control character, bytes that are not UTF-8), is rejected by itself, as a
    // line of NDJSON is, and the others taken (the array's own level does not count against
    // them); and with numbers out of range, which are each a record's.
    std::optional<std::vector<ArrayElement>> elements;
    const bool by_element = parsed.is_discarded() || (out_of_range && !numbers.empty());
    if (by_element && (elements = ReadArrayElements(body))) {
      if (elements->empty()) {
        return Error(InvalidArgument("the body holds no record (an empty array)"));
      }
      for (size_t i = 0; i < elements->size(); ++i) {
        ArrayElement& element = (*elements)[i];
        if (!element.value.is_object()) {
          rejected.push_back(
              {i, "", element.value.is_discarded() ? element.unreadable : "not a JSON object"});
          add(nullptr, {});
        } else {
          add(std::move(element.value), std::move(element.out_of_range));
        }
      }
      return out;
    }
    if (parsed.is_discarded()) {
      // "invalid JSON: a string is not closed" -> ": a string is not closed"
      constexpr std::string_view kPrefix = "invalid JSON: ";
      std::string why = ingest::DescribeInvalidJson(body);
      why = why.starts_with(kPrefix) ? ": " + why.substr(kPrefix.size()) : "";
      return Error(
          InvalidArgument("the body is not valid JSON (expected an array of objects)" + why));
    }
    if (parsed.empty()) return Error(InvalidArgument("the body holds no record (an empty array)"));
    for (size_t i = 0; i < parsed.size(); ++i) {
      if (!parsed[i].is_object()) {
        rejected.push_back({i, "", "not a JSON object"});
        add(nullptr, {});
      } else {
        add(std::move(parsed[i]), {});
      }
    }
    return out;
  }
  // One object, or NDJSON: one object per non-blank line.
  json whole = ParseRecordJson<json>(body, &numbers);
  if (!whole.is_discarded()) {
    if (!whole.is_object()) return Error(InvalidArgument("the body must be an object or an array"));
    add(std::move(whole), std::move(numbers));
    return out;
  }
  size_t index = 0;
  ForEachRecordLine(body, [&](std::string_view line, size_t /*offset*/) {
    numbers.clear();
    json parsed = ParseRecordJson<json>(line, &numbers);
    if (parsed.is_discarded() || !parsed.is_object()) {
      // As batch words the line: what does not open an object is not one, whatever follows.
      const size_t first = line.find_first_not_of(kBlanks);
      rejected.push_back({index, "",
                          first != std::string_view::npos && line[first] == '{'
                              ? ingest::DescribeInvalidJson(line)
                              : "not a JSON object"});
      add(nullptr, {});
    } else {
      add(std::move(parsed), std::move(numbers));
    }
    ++index;
  });
  if (index == 0) return Error(InvalidArgument("the body holds no record"));
  return out;
}

bool NoteOutOfRange(const RecordJson& record, size_t index,
                    const std::vector<OutOfRangeNumber>& numbers, Rejections& rejected,
                    Rejections& warnings, std::initializer_list<std::string_view> needed) {
  if (numbers.empty()) return true;
  for (std::string_view field : needed) {
    if (const OutOfRangeNumber* number = IdOutOfRange(record, numbers, field)) {
      rejected.push_back({index, std::string(field), number->Reason()});
      return false;
    }
  }
  for (const OutOfRangeNumber& number : numbers) {
    warnings.push_back({index, number.key, number.Message()});
  }
  return true;
}

std::string TooLongReason(std::string_view field, size_t bytes) {
  return fmt::format(
      "{} is {} bytes long; the service stores ids of at most {} bytes, which a URL can address",
      field, bytes, kMaxLeadIdBytes);
}

bool JsonIdText(const json& value, std::string& out) {
  if (value.is_string()) {
    out = value.get<std::string>();
    return !out.empty();
  }
  // An integer a double cannot hold (from 2^53 on) is its literal, as batch reads it; JSON
  // writes an integer in one way, so its decimal text is the literal.
  if (value.is_number_unsigned()) {
    out = std::to_string(value.get<uint64_t>());
    return true;
  }
  if (value.is_number_integer()) {
    out = std::to_string(value.get<int64_t>());
    return true;
  }
  if (value.is_number()) {
    out = FormatNumber(value.get<double>());
    return true;
  }
  return false;
}

bool MayBeWrittenOtherwise(const json& id) {
  if (!id.is_number_float()) return false;
  const double v = id.get<double>();
  return std::fabs(v) >= 9007199254740992.0 && std::isfinite(v) && v == std::trunc(v);
}

namespace {

// Why JsonIdText refused the value at `it` (end: the key is absent), as NoIdReason says it.
std::string JsonNoIdReason(json::const_iterator it, const json& object, std::string_view what) {
  if (it == object.end() || it->is_null() || it->is_string()) {
    return fmt::format("missing {}", what);
  }
  std::string kind = it->is_array() ? "an array" : it->is_object() ? "an object" : it->dump();
  return fmt::format("{} must be a string or a number, not {}", what, kind);
}

}  // namespace

std::optional<Timestamp> JsonTimestamp(const json& value) {
  if (value.is_string()) return ParseTimestamp(value.get_ref<const std::string&>());
  if (value.is_number()) return TimestampFromSeconds(value.get<double>());
  return std::nullopt;
}

bool ReadEvent(const json& object, size_t index, EventInput& out, Rejections& rejected) {
  auto reject = [&](const char* field, std::string message) {
    rejected.push_back({index, field, std::move(message)});
    return false;
  };
  out.index = index;
  auto lead = object.find("lead_id");
  if (lead == object.end() || !JsonIdText(*lead, out.lead_id)) {
    return reject("lead_id", JsonNoIdReason(lead, object, "lead_id"));
  }
  auto type = object.find("type");
  if (type == object.end() || !JsonIdText(*type, out.type)) {
    return reject("type", JsonNoIdReason(type, object, "event type"));
  }
  auto ts = object.find("ts");
  if (ts == object.end() || ts->is_null()) return reject("ts", "missing ts");
  auto parsed = JsonTimestamp(*ts);
  if (!parsed) {
    return reject("ts",
                  fmt::format("cannot parse {} as a time (ISO-8601 or Unix seconds)", ts->dump()));
  }
  out.ts = *parsed;
  // As batch scoring reads it: an event_id that is no id (empty, a bool, an array, an object)
  // is none, and the event is kept.
  out.event_id.clear();
  auto event_id = object.find("event_id");
  if (event_id != object.end() && !JsonIdText(*event_id, out.event_id)) out.event_id.clear();
  for (auto [field, id] : {std::pair{"lead_id", std::string_view(out.lead_id)},
                           {"type", out.type},
                           {"event_id", out.event_id}}) {
    if (HoldsNul(id)) return reject(field, NulReason(field));
  }
  if (TooLongToStore(out.lead_id))
    return reject("lead_id", TooLongReason("lead_id", out.lead_id.size()));
  out.body = object.dump();
  return true;
}

bool ReadOutcome(const json& object, size_t index, std::optional<Timestamp> default_time,
                 store::OutcomeRow& out, Rejections& rejected, std::string_view text) {
  static const char* const kKinds[] = {"sql", "opportunity", "won", "lost"};
  auto reject = [&](const char* field, std::string message) {
    rejected.push_back({index, field, std::move(message)});
    return false;
  };
  auto lead = object.find("lead_id");
  if (lead == object.end() || !JsonIdText(*lead, out.lead_id)) {
    return reject("lead_id", JsonNoIdReason(lead, object, "lead_id"));
  }
  if (HoldsNul(out.lead_id)) return reject("lead_id", NulReason("lead_id"));
  if (TooLongToStore(out.lead_id)) {
    return reject("lead_id", TooLongReason("lead_id", out.lead_id.size()));
  }
  if (!text.empty() && MayBeWrittenOtherwise(*lead)) {
    if (auto written = IdAsWritten(text, "lead_id")) out.lead_id = std::move(*written);
  }
  auto kind = object.find("outcome");
  if (kind == object.end() || !kind->is_string() ||
      std::find(std::begin(kKinds), std::end(kKinds), kind->get<std::string>()) ==
          std::end(kKinds)) {
    return reject("outcome", "outcome must be sql, opportunity, won or lost");
  }
  out.kind = kind->get<std::string>();
  auto at = object.find("at");
  const char* at_name = "at";
  if (at == object.end()) {
    at = object.find("ts");
    at_name = "ts";
  }
  if (at == object.end() || at->is_null()) {
    if (!default_time) return reject("at", "missing the outcome's date (`at` or `ts`)");
    out.ts = *default_time;
  } else {
    auto parsed = JsonTimestamp(*at);
    if (!parsed) {
      return reject(
          at_name, fmt::format("cannot parse {} as a time (ISO-8601 or Unix seconds)", at->dump()));
    }
    out.ts = *parsed;
  }
  auto value = object.find("value");
  if (value != object.end() && !value->is_null()) {
    if (!value->is_number() || value->get<double>() < 0) {
      return reject("value", "value must be a number, zero or more (the deal value)");
    }
    out.value = value->get<double>();
  }
  return true;
}

bool ReadLead(const json& object, size_t index, LeadInput& out, Rejections& rejected,
              LeadShape shape, std::string_view text) {
  out.index = index;
  auto lead = object.find("lead_id");
  if (lead == object.end() || !JsonIdText(*lead, out.lead_id)) {
    rejected.push_back({index, "lead_id", JsonNoIdReason(lead, object, "lead_id")});
    return false;
  }
  if (HoldsNul(out.lead_id)) {
    rejected.push_back({index, "lead_id", NulReason("lead_id")});
    return false;
  }
  if (TooLongToStore(out.lead_id)) {
    rejected.push_back({index, "lead_id", TooLongReason("lead_id", out.lead_id.size())});
    return false;
  }
  if (!text.empty() && MayBeWrittenOtherwise(*lead)) {
    if (auto written = IdAsWritten(text, "lead_id")) out.lead_id = std::move(*written);
  }
  auto nested = object.find("attributes");
  if (shape == LeadShape::kApi && object.size() == 2 && nested != object.end() &&
      nested->is_object()) {
    out.attributes = *nested;
    out.attributes["lead_id"] = *lead;
  } else {
    out.attributes = object;
  }
  // lead_id stays among the attributes as it was sent (the number 1000 or the text "1000"),
  // as batch reads it in a lead condition; the lead's view leaves it out (lead_json.cc).
  return true;
}

}  // namespace leadscore::service
