// The options `train` and `evaluate` share in table mode: which file, which column is the
// label and which value is positive, which columns to leave out, which values mean missing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "learn/table.h"

namespace CLI {
class App;
}

namespace leadscore::cli {

struct TableFlags {
  std::string table;
  std::string label;
  std::string positive;
  std::vector<std::string> drop;
  std::vector<std::string> missing;
  uint64_t seed = 42;
  int threads = 0;  // 0: every core
};

void AddTableOptions(CLI::App& sub, TableFlags& flags);

// Reads the table; bad rows and failures are printed on stderr. nullopt on failure.
std::optional<learn::LabeledTable> LoadTableOrReport(const TableFlags& flags);

}  // namespace leadscore::cli
