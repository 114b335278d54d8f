// The pieces of model-file text the trainers write (SCORING.md): quoted YAML scalars, string
// literals of the expression language and rule ids.
#pragma once

#include <string>
#include <string_view>

namespace leadscore::learn {

// A YAML double-quoted scalar; control characters (a line break in a column name) escaped.
std::string YamlQuote(std::string_view s);

// A YAML single-quoted scalar: only the quote itself is escaped (doubled), so an expression's
// double-quoted strings read as written. YamlQuote's when `s` holds a control character, which
// a single-quoted scalar cannot keep (YAML folds a line break in it into a space).
std::string YamlSingleQuote(std::string_view s);

// A string literal of the expression language.
std::string ExprString(std::string_view s);

// A rule id from any text: lower-case letters and digits, runs of anything else as one `_`
// ("Lead Origin = API" -> "lead_origin_api"); "rule" when nothing is left.
std::string RuleId(std::string_view text);

}  // namespace leadscore::learn
