// The feature config of `train` and `evaluate` (`--features FILE.yaml`): columns to leave out
// and columns to add, computed from the lead's attributes with the model file's expression
// language, so that a scorecard can write them as rules and a trees model can recompute them.
//
//   exclude: [Prospect ID, Lead Number]
//   derived:
//     - name: visits_per_minute
//       expr: 'TotalVisits / (`Total Time Spent on Website` / 60 + 1)'
//     - name: business_email
//       expr: 'not (domain(email) in ["gmail.com", "yahoo.com"])'
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "learn/table.h"

namespace leadscore::learn {

struct DerivedColumn {
  std::string name;
  std::string expr;  // over the table's attribute columns (docs/expr-language.md)
  // How training typed the columns it reads (a trained model's copy): new data is read the
  // same way, whatever its own cells look like (one lead's empty cell is not a string column),
  // and a column it lacks reads as null. Empty: as the table types them.
  std::vector<std::pair<std::string, ColumnKind>> reads = {};
};

struct FeatureConfig {
  std::vector<std::string> exclude;  // as --drop
  std::vector<DerivedColumn> derived;
};

// Reads a feature config. Fails with kInvalidArgument naming the file, line and key: an
// unknown key, a derived column without a name or an expression, two with one name.
Result<FeatureConfig> LoadFeatureConfig(const std::string& path);

}  // namespace leadscore::learn
