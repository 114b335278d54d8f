#include "service/cell_texts.h"

#include "ingest/convert.h"

namespace leadscore::service {
namespace {

using nlohmann::json;

bool NoTexts(std::string_view cell_texts) { return cell_texts.empty() || cell_texts == "{}"; }

// Whether `model` declares the lead field `name` (a type in its `fields`).
bool Declared(const engine::CompiledModel* model, std::string_view name) {
  if (!model) return false;
  for (const auto* fields : {&model->lead_fields(), &model->checked_lead_fields()}) {
    for (const engine::FieldSlot& f : *fields) {
      if (f.name == name) return f.declared.has_value();
    }
  }
  return false;
}

}  // namespace

bool IsNumberCell(std::string_view cell) { return ingest::ParseDecimal(cell).has_value(); }

std::string MergedCellTexts(std::string_view stored, const json& attributes, const json& texts) {
  json merged = NoTexts(stored) ? json::object() : json::parse(stored, nullptr, false);
  if (!merged.is_object()) merged = json::object();
  for (const auto& item : attributes.items()) merged.erase(item.key());
  if (texts.is_object()) merged.update(texts);
  return merged.dump();
}

std::string_view AttributesFor(std::string_view attributes_json, std::string_view cell_texts,
                               const engine::CompiledModel* model, std::string& scratch) {
  if (NoTexts(cell_texts)) return attributes_json;
  json texts = json::parse(cell_texts, nullptr, false);
  json attributes = json::parse(attributes_json, nullptr, false);
  if (!texts.is_object() || !attributes.is_object()) return attributes_json;
  bool changed = false;
  for (const auto& [key, text] : texts.items()) {
    if (!text.is_string() || !attributes.contains(key)) continue;
    const std::string& cell = text.get_ref<const std::string&>();
    if (Declared(model, key)) {
      attributes[key] = cell;  // converted from the text, as batch converts the cell
    } else if (auto number = ingest::ParseDecimal(cell)) {
      attributes[key] = *number;  // an undeclared cell that reads as a number is one
    }
    changed = true;
  }
  if (!changed) return attributes_json;
  scratch = attributes.dump();
  return scratch;
}

}  // namespace leadscore::service
