// Value conversions of SCORING.md "Values" (see convert.h).
//
// ParseDecimal checks the grammar itself and then lets std::from_chars do the (correctly
// rounded) conversion: from_chars alone would accept "inf", "nan" and hex-like forms under
// some formats, and reads a prefix of "1,5" without complaint.
#include "ingest/convert.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace leadscore::ingest {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<double> ParseDecimal(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
  const size_t mantissa_start = i;
  size_t digits = 0;
  while (i < n && IsDigit(text[i])) ++i, ++digits;
  if (i < n && text[i] == '.') {
    ++i;
    while (i < n && IsDigit(text[i])) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exponent_digits = 0;
    while (i < n && IsDigit(text[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0) return std::nullopt;
  }
  if (i != n || i == mantissa_start) return std::nullopt;
  // from_chars takes no '+'.
  std::string_view number = text[0] == '+' ? text.substr(1) : text;
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // Overflow is rejected; underflow (1e-400) reads as the nearest value, 0 or subnormal.
    std::string copy(number);
    value = std::strtod(copy.c_str(), nullptr);
    if (!std::isfinite(value)) return std::nullopt;
    return value;
  }
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ParseBool(std::string_view text) {
  static constexpr std::string_view kTrue[] = {"true", "yes", "y", "t", "1"};
  static constexpr std::string_view kFalse[] = {"false", "no", "n", "f", "0"};
  for (std::string_view word : kTrue) {
    if (EqualsIgnoreCase(text, word)) return true;
  }
  for (std::string_view word : kFalse) {
    if (EqualsIgnoreCase(text, word)) return false;
  }
  return std::nullopt;
}

Value InferCsvCell(std::string_view cell) {
  if (cell.empty()) return Value::Null();
  if (std::optional<double> number = ParseDecimal(cell)) return Value::Number(*number);
  return Value::String(cell);
}

std::optional<Value> ConvertTo(const Value& raw, ValueType declared, std::string& scratch) {
  if (raw.is_null()) return Value::Null();
  switch (declared) {
    case ValueType::kNull:
      return std::nullopt;
    case ValueType::kNumber:
      if (raw.is_number()) return raw;
      if (raw.is_string()) {
        if (auto number = ParseDecimal(TrimBlanks(raw.str()))) return Value::Number(*number);
      }
      return std::nullopt;
    case ValueType::kString:
      switch (raw.type()) {
        case ValueType::kString:
          return raw;
        case ValueType::kNumber:
          scratch = FormatNumber(raw.number());
          return Value::String(scratch);
        case ValueType::kBool:
          return Value::String(raw.boolean() ? "true" : "false");
        case ValueType::kTime:
          scratch = FormatTimestamp(raw.time());
          return Value::String(scratch);
        case ValueType::kNull:
          break;
      }
      return std::nullopt;
    case ValueType::kBool:
      if (raw.is_bool()) return raw;
      if (raw.is_string()) {
        if (auto flag = ParseBool(TrimBlanks(raw.str()))) return Value::Bool(*flag);
      }
      if (raw.is_number() && (raw.number() == 0 || raw.number() == 1)) {
        return Value::Bool(raw.number() == 1);
      }
      return std::nullopt;
    case ValueType::kTime:
      if (raw.is_time()) return raw;
      if (raw.is_number()) {
        if (auto ts = TimestampFromSeconds(raw.number())) return Value::Time(*ts);
        return std::nullopt;
      }
      if (raw.is_string()) {
        if (auto ts = ParseTimestamp(raw.str())) return Value::Time(*ts);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

Value CsvCellForJson(std::string_view cell) {
  std::string_view digits = cell;
  if (!digits.empty() && digits.front() == '+') return Value::String(cell);
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  if (digits.size() >= 2 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9') {
    return Value::String(cell);
  }
  return InferCsvCell(cell);
}

std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace leadscore::ingest
