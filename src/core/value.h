// Value: one attribute, property or expression result, as SCORING.md types them.
//
// A Value is 24 bytes and never owns memory: a string Value views bytes owned elsewhere (a
// reader's buffer, a lead table's arena, a program's constant pool, a VM's scratch space).
// Whoever hands out a string Value documents how long its bytes live.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.h"

namespace leadscore {

enum class ValueType : uint8_t { kNull, kNumber, kString, kBool, kTime };

std::string_view ValueTypeName(ValueType type);

class Value {
 public:
  Value() = default;
  static Value Null() { return Value(); }
  static Value Number(double v) {
    Value out;
    out.type_ = ValueType::kNumber;
    out.number_ = v;
    return out;
  }
  static Value Bool(bool v) {
    Value out;
    out.type_ = ValueType::kBool;
    out.bool_ = v;
    return out;
  }
  static Value Time(Timestamp v) {
    Value out;
    out.type_ = ValueType::kTime;
    out.time_ = v;
    return out;
  }
  // REQUIRES: the viewed bytes outlive every copy of the Value.
  static Value String(std::string_view v) {
    Value out;
    out.type_ = ValueType::kString;
    out.data_ = v.data();
    // Inputs bound a record to 256 MiB (ingest/block_source.h), far below 4 GiB.
    out.size_ = static_cast<uint32_t>(v.size());
    return out;
  }
  // A string holding the JSON text of an array or an object, as JSON Lines readers give a
  // wanted key's composite value: a string everywhere, but no id (see service::IdText).
  static Value JsonText(std::string_view v) {
    Value out = String(v);
    out.json_text_ = true;
    return out;
  }

  // A string holding the literal of a JSON integer too large for a double to hold exactly
  // (beyond 2^53), as JSON Lines readers give it: an id reads it as written (two ids that a
  // double would round alike stay apart); as a value, a reader turns it into a number.
  static Value NumberText(std::string_view literal) {
    Value out = String(literal);
    out.number_text_ = true;
    return out;
  }

  ValueType type() const { return type_; }
  bool is_null() const { return type_ == ValueType::kNull; }
  bool is_number() const { return type_ == ValueType::kNumber; }
  bool is_string() const { return type_ == ValueType::kString; }
  bool is_bool() const { return type_ == ValueType::kBool; }
  bool is_time() const { return type_ == ValueType::kTime; }
  bool is_json_text() const { return json_text_; }
  bool is_number_text() const { return number_text_; }
  // True only for the boolean true: "a condition holds only when it is exactly true".
  bool is_true() const { return type_ == ValueType::kBool && bool_; }

  // REQUIRES: the matching is_*() holds.
  double number() const { return number_; }
  bool boolean() const { return bool_; }
  Timestamp time() const { return time_; }
  std::string_view str() const { return {data_, size_}; }

  // Same type and same content; null equals null here (this is not the language's `==`).
  bool SameAs(const Value& other) const;

  // A readable rendering for messages and explanations: `null`, `12.5`, `"text"`, `true`,
  // `2024-05-01T00:00:00Z`.
  std::string ToString() const;

 private:
  // 16 bytes: a batch keeps one Value per lead attribute (1M leads of 6 attributes: 96 MB rather
  // than 144 MB), and the interpreter copies them by the million.
  ValueType type_ = ValueType::kNull;
  bool json_text_ = false;    // a string made by JsonText
  bool number_text_ = false;  // a string made by NumberText
  uint32_t size_ = 0;         // of a string
  union {
    double number_;
    bool bool_;
    Timestamp time_;
    const char* data_ = nullptr;
  };
};

static_assert(sizeof(Value) == 16);

// Text that reads back as `v`: whole numbers below 1e16 in full (`900000`), others in the
// shortest form (`2.5`, `1e-07`, `1e+21`).
std::string FormatNumber(double v);

}  // namespace leadscore
