#include "learn/model_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace leadscore::learn {

namespace {

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// `c` as a YAML double-quoted escape: \n, \r, \t, or \xNN.
std::string ControlEscape(char c) {
  switch (c) {
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
  }
}

}  // namespace

std::string YamlQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (IsControl(c)) {
      out += ControlEscape(c);
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string CommentText(std::string_view s) {
  std::string out;
  for (char c : s) out += IsControl(c) ? ControlEscape(c) : std::string(1, c);
  return out;
}

std::string YamlSingleQuote(std::string_view s) {
  if (std::any_of(s.begin(), s.end(), IsControl)) return YamlQuote(s);
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
