// A lead's CSV cells that read as numbers, kept as the file wrote them beside its attributes.
//
// `leadscore ingest` stores the CSV cell "01500" as 1500 in a lead's attributes, so that the
// API lists numbers as numbers, and "01500" in its cell texts (store::LeadRow::cell_texts).
// Batch scoring reads the file's cell by the model: a declared field converts the cell's text
// (a declared string keeps "01500", a declared bool does not read "1.0"), an undeclared cell
// is the number. AttributesFor writes each such cell into the attributes as the model will
// read it, so that the service, parsing the result as JSON, sees what batch saw in the file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "engine/compiled_model.h"

namespace leadscore::service {

// The cells of a CSV record that read as numbers, by column ({"zip": "01500"}): the record's
// other cells mean the same read as JSON strings.
bool IsNumberCell(std::string_view cell);

// The cell texts of a lead after an upsert of `attributes` (a JSON object) with `texts`, given
// the stored ones: a key the upsert sets loses its old text, and takes the upsert's if any.
std::string MergedCellTexts(std::string_view stored, const nlohmann::json& attributes,
                            const nlohmann::json& texts);

// `attributes_json` with each of `cell_texts` written as `model` reads the cell: the text for a
// field it declares, the number for any other (every one without a model). `attributes_json`
// itself when there is none; otherwise the result is built in `scratch`.
std::string_view AttributesFor(std::string_view attributes_json, std::string_view cell_texts,
                               const engine::CompiledModel* model, std::string& scratch);

}  // namespace leadscore::service
