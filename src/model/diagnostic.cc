#include "model/diagnostic.h"

#include <algorithm>
#include <set>
#include <string>
#include <tuple>

#include "expr/suggest.h"

namespace leadscore::model {

Diagnostic UnreadableFile(const std::string& path, const Status& status) {
  std::string message = status.message();
  if (message.starts_with(path + ": ")) message.erase(0, path.size() + 2);
  return {path, {}, std::move(message)};
}

std::string Diagnostic::ToString() const {
  std::string out = file;
  if (pos.line > 0) {
    out += ':';
    out += std::to_string(pos.line);
    if (pos.column > 0) {
      out += ':';
      out += std::to_string(pos.column);
    }
  }
  out += ": ";
  out += message;
  return out;
}

std::string FormatDiagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) {
    out += d.ToString();
    out += '\n';
  }
  return out;
}

SourcePos AdvancedBy(SourcePos at, std::string_view text) {
  for (const char c : text) {
    if (c == '\n') {
      ++at.line;
      at.column = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++at.column;
    }
  }
  return at;
}

void SortDroppingRepeats(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const auto& a, const auto& b) {
    return a.pos.line < b.pos.line || (a.pos.line == b.pos.line && a.pos.column < b.pos.column);
  });
  std::set<std::tuple<int, int, std::string>> seen;
  std::erase_if(diagnostics, [&](const Diagnostic& d) {
    return !seen.emplace(d.pos.line, d.pos.column, d.message).second;
  });
}

std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates) {
  return expr::Suggest(word, candidates).value_or("");
}

}  // namespace leadscore::model
