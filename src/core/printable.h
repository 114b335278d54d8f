// Text as one line of a terminal or a comment: control characters written as escapes.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace leadscore {

inline bool IsControlChar(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// `c`, a control character, as a YAML double-quoted escape would write it: \n, \r, \t or \xNN.
inline std::string ControlEscape(char c) {
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

// `s` with each control character escaped, so that a name holding a line break (a column of a
// spreadsheet) prints on one line and does not end a YAML comment.
inline std::string Printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (IsControlChar(c)) {
      out += ControlEscape(c);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace leadscore
