// A record's CSV cells that read as numbers, kept as the file wrote them beside its JSON.
//
// `leadscore ingest` stores the CSV cell "01500" as 1500 in a lead's attributes, so that the
// API lists numbers as numbers, and "01500" in its cell texts (store::LeadRow::cell_texts).
// Batch scoring reads the file's cell by the model: a declared field converts the cell's text
// (a declared string keeps "01500", a declared bool does not read "1.0"), an undeclared cell
// is the number. AttributesFor writes each such cell into the attributes as the model will
// read it, so that the service, parsing the result as JSON, sees what batch saw in the file.
// An event's cell texts work alike (store::EventRow::cell_texts, EventBodyFor).
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "engine/compiled_model.h"
#include "store/store.h"

namespace leadscore::service {

// The cells of a CSV record that read as numbers, by column ({"zip": "01500"}): the record's
// other cells mean the same read as JSON strings.
bool IsNumberCell(std::string_view cell);

// Whether a CSV column holds an id: lead_id, and in an event (`events`) its type and event_id. Such
// a cell is kept as the text it holds, as batch scoring reads the ids, so that the cells 1.0 and 1
// stay two ids and 1e3 is not the lead 1000.
bool IsIdColumn(bool events, std::string_view column);
// Whether an id cell also has a cell text: one that reads as a number, which conditions read as
// that number, as batch reads the cell (AttributesFor, EventBodyFor).
bool IdCellHasText(bool leads, std::string_view column, std::string_view cell);

// The cell texts of a lead after an upsert that set the fields `set_paths` (dotted paths, as
// MergeAttributes gives them) with `texts`, given the stored ones: a field the upsert sets
// loses its old text, and takes the upsert's if any.
std::string MergedCellTexts(std::string_view stored, std::span<const std::string> set_paths,
                            const nlohmann::ordered_json& texts);

// `attributes_json` with each of `cell_texts` written as `model` reads the cell: the text for a
// field it declares, the number for any other (every one without a model). `attributes_json`
// itself when there is none; otherwise the result is built in `scratch`.
std::string_view AttributesFor(std::string_view attributes_json, std::string_view cell_texts,
                               const engine::CompiledModel* model, std::string& scratch);
// The same for an event's body and the model's event fields, but for its ids (lead_id, type,
// event_id), whose text names the lead, the type and the event: kept as they are, and with
// `typed_ids` also written as conditions read them under their TypedIdKey (typed_ids.h).
std::string_view EventBodyFor(std::string_view body, std::string_view cell_texts,
                              const engine::CompiledModel* model, std::string& scratch,
                              bool typed_ids = false);

// A stored event as the live scorer takes it (LeadRecords::events_json): its body, followed by
// a NUL byte and its cell texts when it has any (no JSON text holds a raw NUL).
std::string EventText(std::string body, std::string_view cell_texts);
std::string EventText(store::EventRow&& row);
std::string EventText(const store::EventRow& row);
// An EventText's body and cell texts (empty: none).
std::pair<std::string_view, std::string_view> SplitEventText(std::string_view text);

}  // namespace leadscore::service
