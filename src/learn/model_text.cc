#include "learn/model_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/printable.h"

namespace leadscore::learn {

std::string YamlQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (IsControlChar(c)) {
      out += ControlEscape(c);
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string YamlSingleQuote(std::string_view s) {
  if (std::any_of(s.begin(), s.end(), IsControlChar)) return YamlQuote(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string ExprString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string RuleId(std::string_view text) {
  std::string id;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!id.empty() && id.back() != '_') {
      id += '_';
    }
  }
  while (!id.empty() && id.back() == '_') id.pop_back();
  return id.empty() ? "rule" : id;
}

}  // namespace leadscore::learn
