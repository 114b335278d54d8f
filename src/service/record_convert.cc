#include "service/record_convert.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "ingest/convert.h"

namespace leadscore::service {

namespace {

// As a value, a long JSON integer (kept as its text) is the number it rounds to.
Value NumberOfText(const Value& v) {
  double number = 0;
  std::from_chars(v.str().data(), v.str().data() + v.str().size(), number);
  return Value::Number(number);
}

}  // namespace

std::vector<std::string> WantedKeys(std::vector<std::string> reserved,
                                    const std::vector<engine::FieldSlot>& fields,
                                    std::vector<size_t>& raw_index,
                                    const std::vector<engine::FieldSlot>& checked) {
  raw_index.clear();
  for (const auto* list : {&fields, &checked}) {
    for (const auto& f : *list) {
      auto it = std::find(reserved.begin(), reserved.end(), f.name);
      raw_index.push_back(static_cast<size_t>(it - reserved.begin()));
      if (it == reserved.end()) reserved.push_back(f.name);
    }
  }
  return reserved;
}

const std::vector<engine::FieldSlot>& Converter::NoFields() {
  static const std::vector<engine::FieldSlot> none;
  return none;
}

Converter::Converter(const std::vector<engine::FieldSlot>& fields, std::vector<size_t> raw_index,
                     bool csv, std::string file, const std::vector<engine::FieldSlot>& checked)
    : fields_(fields),
      checked_(checked),
      checks_anything_(!checked.empty() || std::any_of(fields.begin(), fields.end(),
                                                       [](const engine::FieldSlot& f) {
                                                         return f.declared.has_value();
                                                       })),
      raw_index_(std::move(raw_index)),
      csv_(csv),
      file_(std::move(file)),
      scratch_(fields.size()),
      out_(fields.size()) {}

std::span<const Value> Converter::Convert(std::span<const Value> raw, uint64_t line,
                                          std::vector<ingest::RowError>& errors) {
  for (size_t i = 0; i < fields_.size(); ++i) {
    Value v = raw[raw_index_[i]];
    const auto& field = fields_[i];
    // A long integer declared a string is its digits as written (a 19-digit id), as a CSV cell
    // declared a string is; as anything else it is the number it rounds to.
    if (v.is_number_text()) {
      v = field.declared == ValueType::kString ? Value::String(v.str()) : NumberOfText(v);
    }
    if (v.is_json_text() && v.str().starts_with('{')) {
      // A JSON object is flattened into its dotted keys (`utm.source`), which is how the model
      // reads it; the key holding it has no value of its own, as after JSON.parse and a
      // flattening, so `exists(utm)` is false and a declared `utm` is null, not an error.
      out_[i] = Value::Null();
    } else if (!v.is_null() && field.declared) {
      out_[i] = ConvertDeclared(v, field, scratch_[i], line, errors);
    } else if (csv_ && v.is_string()) {
      out_[i] = ingest::InferCsvCell(v.str());
    } else {
      out_[i] = v;  // null, or an undeclared JSON value keeps its type
    }
  }
  if (checked_.empty()) return out_;
  // Most rows hold none of the fields the model does not read (W1's events hold none of its
  // six lead fields): one pass over their values, side by side at the end of the row, rather
  // than 30M rows of six lookups each (4% of a W1 run).
  const std::span<const Value> tail = raw.subspan(raw_index_[fields_.size()]);
  bool any = false;
  for (size_t j = 0; j < checked_.size(); ++j) any |= !tail[j].is_null();
  if (!any) return out_;
  for (size_t j = 0; j < checked_.size(); ++j) {
    Value v = raw[raw_index_[fields_.size() + j]];
    if (v.is_null() || (v.is_json_text() && v.str().starts_with('{'))) continue;  // as above
    if (v.is_number_text()) v = NumberOfText(v);
    ConvertDeclared(v, checked_[j], checked_scratch_, line, errors);
  }
  return out_;
}

Value Converter::ConvertDeclared(const Value& raw, const engine::FieldSlot& field,
                                 std::string& scratch, uint64_t line,
                                 std::vector<ingest::RowError>& errors) const {
  if (auto converted = ingest::ConvertTo(raw, *field.declared, scratch)) return *converted;
  errors.push_back(
      {file_, line, field.name,
       "cannot convert \"" + Shown(raw) + "\" to " + std::string(ValueTypeName(*field.declared)) +
           (*field.declared == ValueType::kTime ? MillisecondsHint(raw) : "") + "; using null"});
  return Value::Null();
}

}  // namespace leadscore::service
