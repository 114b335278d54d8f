// How well each column ranks the rows on its own. A lead attribute that alone ranks them almost
// perfectly is more often a record of the outcome (a sales status, a quality judged after the
// first call) than a signal that exists before it: a model trained on it looks excellent in
// cross-validation and fails on new leads, where the column is not filled in yet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "learn/table.h"

namespace leadscore::learn {

struct LoneColumn {
  size_t column = 0;  // index into LabeledTable::columns
  double auc = 0.5;   // out of fold
};

// Each lead attribute's AUC when it alone scores the rows, out of fold: binned as the scorecard
// bins it (FitBinning) on the other folds of `folds` stratified folds, each held-out row scored
// by its bin's conversion rate there. Columns counted from events or taken from the rule model
// are left out (they are taken as of each lead's reference), and so are columns that hold one
// value in some fold. Sorted by AUC, highest first.
std::vector<LoneColumn> LoneColumnAucs(const LabeledTable& table, int32_t folds, uint64_t seed);

// The AUC from which a lone column is worth a warning: what no single fact about a lead known
// before the sale gives in the public lead data the project measures on (docs/predictive.md).
inline constexpr double kSuspectLoneAuc = 0.9;

}  // namespace leadscore::learn
