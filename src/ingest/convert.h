// Typing raw values as SCORING.md says ("Values"): declared fields are converted to their type,
// undeclared CSV cells are numbers when the whole cell is a finite decimal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/value.h"

namespace leadscore::ingest {

// `text` without the spaces and tabs around it: around a value that is converted (a CSV cell
// written `\t50` or ` 50 `), a CRM export's id or header.
std::string_view TrimBlanks(std::string_view text);

// A finite decimal: optional sign, digits with an optional fraction, optional exponent
// (`12`, `-0.5`, `.5`, `1e3`). No spaces, hex, inf or nan; nullopt when it overflows.
std::optional<double> ParseDecimal(std::string_view text);

// `true`/`false`, `yes`/`no`, `y`/`n`, `t`/`f`, `1`/`0`, any case.
std::optional<bool> ParseBool(std::string_view text);

// An undeclared CSV cell: a number when ParseDecimal accepts it, else the string itself.
Value InferCsvCell(std::string_view cell);

// A CSV cell on its way into JSON (CRM imports, bulk ingest): InferCsvCell, except that a cell
// that looks like a code (a leading `+`, or a leading zero before another digit: phone
// numbers, zip codes) stays a string, so that a field declared as string keeps it as written.
Value CsvCellForJson(std::string_view cell);

// Converts `raw` (from CSV or JSON) to `declared`. Null stays null. Returns nullopt when the
// value does not convert (the caller reports it and uses null). Strings made by the
// conversion (a number declared as string) are written to `scratch`, which the result views.
std::optional<Value> ConvertTo(const Value& raw, ValueType declared, std::string& scratch);

}  // namespace leadscore::ingest
