#include "core/value.h"

#include <charconv>
#include <cmath>

namespace leadscore {

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kNumber:
      return "number";
    case ValueType::kString:
      return "string";
    case ValueType::kBool:
      return "bool";
    case ValueType::kTime:
      return "time";
  }
  return "?";
}

bool Value::SameAs(const Value& other) const {
  if (type_ != other.type_) return false;
  switch (type_) {
    case ValueType::kNull:
      return true;
    case ValueType::kNumber:
      return number_ == other.number_;
    case ValueType::kString:
      return str() == other.str();
    case ValueType::kBool:
      return bool_ == other.bool_;
    case ValueType::kTime:
      return time_ == other.time_;
  }
  return false;
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "nan";
  if (v == 0) return "0";  // also folds -0
  // Whole numbers are written out in full (900000, not 9e+05): ids and counts read as text.
  if (std::fabs(v) < 1e16 && v == std::floor(v)) return std::to_string(static_cast<int64_t>(v));
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? ptr : buf);
}

std::string Value::ToString() const {
  switch (type_) {
    case ValueType::kNull:
      return "null";
    case ValueType::kNumber:
      return FormatNumber(number_);
    case ValueType::kString: {
      std::string out = "\"";
      out += str();
      out += '"';
      return out;
    }
    case ValueType::kBool:
      return bool_ ? "true" : "false";
    case ValueType::kTime:
      return FormatTimestamp(time_);
  }
  return "?";
}

}  // namespace leadscore
