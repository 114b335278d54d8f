#include "service/cell_texts.h"

#include <unordered_set>

#include "ingest/convert.h"
#include "service/typed_ids.h"

namespace leadscore::service {
namespace {

using nlohmann::json;

// Between an EventText's body and its cell texts: a byte no JSON text holds raw.
constexpr char kTextsMark = '\0';

bool NoTexts(std::string_view cell_texts) { return cell_texts.empty() || cell_texts == "{}"; }

using Fields = std::vector<engine::FieldSlot>;

// Whether one of `lists` declares the field `name` (a type in the model's `fields`).
bool Declared(std::initializer_list<const Fields*> lists, std::string_view name) {
  for (const Fields* fields : lists) {
    for (const engine::FieldSlot& f : *fields) {
      if (f.name == name) return f.declared.has_value();
    }
  }
  return false;
}

// What becomes of the cell texts of an event's ids (lead_id, type, event_id), whose text names
// the lead, the type or the event: kept as they are, or also written as conditions read them
// under their TypedIdKey. A lead's lead_id is replaced (its name is the store's key).
enum class EventIds { kNone, kKept, kTyped };

// `object_json` with each of `cell_texts` written as the fields of `lists` read it.
std::string_view WithTexts(std::string_view object_json, std::string_view cell_texts,
                           std::initializer_list<const Fields*> lists, std::string& scratch,
                           EventIds event_ids = EventIds::kNone) {
  if (NoTexts(cell_texts)) return object_json;
  json texts = json::parse(cell_texts, nullptr, false);
  // In the order stored: a field given flat and nested keeps the later (record_input.h).
  nlohmann::ordered_json object = nlohmann::ordered_json::parse(object_json, nullptr, false);
  if (!texts.is_object() || !object.is_object()) return object_json;
  bool changed = false;
  for (const auto& [key, text] : texts.items()) {
    if (!text.is_string() || !object.contains(key)) continue;
    const std::string& cell = text.get_ref<const std::string&>();
    std::string target = key;
    if (event_ids != EventIds::kNone && IsIdColumn(true, key)) {
      if (event_ids == EventIds::kKept) continue;
      target = TypedIdKey(key);
    }
    if (Declared(lists, key)) {
      object[target] = cell;  // converted from the text, as batch converts the cell
    } else if (auto number = ingest::ParseDecimal(cell)) {
      object[target] = *number;  // an undeclared cell that reads as a number is one
    }
    changed = true;
  }
  if (!changed) return object_json;
  scratch = object.dump();
  return scratch;
}

}  // namespace

bool IsNumberCell(std::string_view cell) { return ingest::ParseDecimal(cell).has_value(); }

bool IsIdColumn(bool events, std::string_view column) {
  return column == "lead_id" || (events && (column == "type" || column == "event_id"));
}

bool IdCellHasText(bool leads, std::string_view column, std::string_view cell) {
  return IsIdColumn(!leads, column) && IsNumberCell(cell);
}

std::string MergedCellTexts(std::string_view stored, std::span<const std::string> set_paths,
                            const nlohmann::ordered_json& texts) {
  using ordered = nlohmann::ordered_json;
  const bool none_stored = NoTexts(stored);
  if (none_stored && (!texts.is_object() || texts.empty())) return "{}";
  ordered merged = none_stored ? ordered::object() : ordered::parse(stored, nullptr, false);
  if (!merged.is_object()) merged = ordered::object();
  // A CSV column is one field: its name is the field's dotted path. (A set, not erase by key:
  // that searches the object each time.)
  ordered kept = ordered::object();
  if (!merged.empty()) {
    const std::unordered_set<std::string_view> set(set_paths.begin(), set_paths.end());
    // Appended beneath the ordered object: its keys are distinct already.
    auto& entries = static_cast<ordered::object_t::Container&>(*kept.get_ptr<ordered::object_t*>());
    for (auto& [column, text] :
         static_cast<ordered::object_t::Container&>(*merged.get_ptr<ordered::object_t*>())) {
      if (!set.contains(column)) entries.emplace_back(column, std::move(text));
    }
  }
  if (texts.is_object()) kept.update(texts);
  return kept.dump();
}

std::string_view AttributesFor(std::string_view attributes_json, std::string_view cell_texts,
                               const engine::CompiledModel* model, std::string& scratch) {
  static const Fields kNone;
  return WithTexts(
      attributes_json, cell_texts,
      {model ? &model->lead_fields() : &kNone, model ? &model->checked_lead_fields() : &kNone},
      scratch);
}

std::string_view EventBodyFor(std::string_view body, std::string_view cell_texts,
                              const engine::CompiledModel* model, std::string& scratch,
                              bool typed_ids) {
  static const Fields kNone;
  return WithTexts(
      body, cell_texts,
      {model ? &model->event_fields() : &kNone, model ? &model->checked_event_fields() : &kNone},
      scratch, typed_ids ? EventIds::kTyped : EventIds::kKept);
}

std::string EventText(std::string body, std::string_view cell_texts) {
  if (NoTexts(cell_texts)) return body;
  body += kTextsMark;
  body += cell_texts;
  return body;
}

std::string EventText(store::EventRow&& row) {
  return EventText(std::move(row.body), row.cell_texts);
}

std::string EventText(const store::EventRow& row) { return EventText(row.body, row.cell_texts); }

std::pair<std::string_view, std::string_view> SplitEventText(std::string_view text) {
  const size_t mark = text.find(kTextsMark);
  if (mark == std::string_view::npos) return {text, {}};
  return {text.substr(0, mark), text.substr(mark + 1)};
}

}  // namespace leadscore::service
