// ForEachRecordLine: the non-blank lines of a text, as JSON Lines and NDJSON bodies are read.
#pragma once

#include <cstddef>
#include <string_view>

namespace leadscore {

// Calls `visit(line, offset)` for each line of `text` that holds more than spaces, tabs and
// '\r', in order: `line` without its '\n', `offset` its 0-based physical line number (blank
// lines counted). A last line without '\n' is a line.
template <class Visit>
void ForEachRecordLine(std::string_view text, Visit&& visit) {
  size_t pos = 0;
  for (size_t offset = 0; pos < text.size(); ++offset) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) visit(line, offset);
  }
}

}  // namespace leadscore
