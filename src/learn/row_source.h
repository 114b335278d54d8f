// Where the rows of a training or scoring set come from: a file (CSV or JSON Lines), the
// store, or text in memory, each opened as an ingest::RecordSource, and the columns they hold.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ingest/record_source.h"

namespace leadscore::learn {

// Opens a fresh source each time it is called (a source is read once).
using SourceOpener = std::function<Result<std::unique_ptr<ingest::RecordSource>>()>;

// Opens the file at `path` (its format by its extension).
SourceOpener FileOpener(std::string path);

// JSON Lines held in memory under the name `name` (one lead's records in the live service).
SourceOpener JsonLinesOpener(std::string name, std::string text);

// The columns a source holds: a CSV file's header, each name once (columns that share a name
// are read as the last of them); for JSON Lines, which has none, every key of every line
// (nested objects flattened with dots, as the parser reads them) in order of first appearance,
// which takes one pass over the source. A name a model cannot write is left out (ModelCanName),
// and said so in `left_out` when given: at the header's line, or where a key first appears.
Result<std::vector<std::string>> ColumnsOf(const SourceOpener& open,
                                           std::vector<ingest::RowError>* left_out = nullptr);

// Whether a model can name the column `name` (in backticks, SCORING.md "Expressions"): not when
// it is empty (a spreadsheet's trailing ",,,") or holds a backtick, which ends a backticked
// name. A feature of such a column would make a scorecard that does not load.
bool ModelCanName(std::string_view name);

// Whether the source holds CSV (its cells are text to type) rather than JSON Lines.
Result<bool> IsCsv(const SourceOpener& open);

// Reads every row of a fresh source into `sink`, the values of `keys` in that order. The
// warnings of a CSV header (RecordSource::header_warnings) go to sink.OnWarning first. Fails
// before any row when a CSV header lacks one of `required` (ingest::RequireColumns).
Status ReadRows(const SourceOpener& open, const std::vector<std::string>& keys,
                ingest::RowSink& sink, std::initializer_list<const char*> required = {});

}  // namespace leadscore::learn
