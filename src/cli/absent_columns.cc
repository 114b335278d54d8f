#include "cli/absent_columns.h"

#include <cctype>

#include "core/print_stderr.h"
#include "model/diagnostic.h"

namespace leadscore::cli {
namespace {

constexpr size_t kNamed = 10;  // columns named before "and N more"

// A column name as people vary it: lower case, without blanks, `_` or `-`.
std::string Loose(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ' ' || c == '\t' || c == '_' || c == '-') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::string LikelyColumn(const std::string& wanted, const std::vector<std::string>& columns) {
  const std::string loose = Loose(wanted);
  for (const std::string& c : columns) {
    if (Loose(c) == loose) return c;
  }
  return model::ClosestMatch(wanted, columns);
}

void WarnOfAbsentColumns(std::string_view file, std::string_view model,
                         const std::vector<std::string>& absent,
                         const std::vector<std::string>& columns) {
  if (absent.empty()) return;
  std::string list;
  for (size_t i = 0; i < absent.size() && i < kNamed; ++i) {
    list += (i ? ", `" : "`") + absent[i] + "`";
    if (const std::string near = LikelyColumn(absent[i], columns); !near.empty()) {
      list += " (did you mean `" + near + "`?)";
    }
  }
  if (absent.size() > kNamed) list += ", and " + std::to_string(absent.size() - kNamed) + " more";
  const bool one = absent.size() == 1;
  if (columns.empty()) {
    // JSON Lines: no header; a key can be on every line and still be null on all of them.
    PrintToStderr(
        "{}: warning: {} reads {} that no record of the file gives a value (absent, null, or not "
        "of the declared type), so every lead reads {} as missing: {}\n",
        file, model, one ? "a key" : "keys", one ? "it" : "them", list);
    return;
  }
  PrintToStderr(
      "{}: warning: {} reads {} the file does not have, so every lead reads {} as missing: {}\n",
      file, model, one ? "a column" : "columns", one ? "it" : "them", list);
}

}  // namespace leadscore::cli
