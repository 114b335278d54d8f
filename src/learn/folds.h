// Which rows each cross-validation fold holds out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace leadscore::learn {

// fold[i] in [0, k) for each usable row i.
struct Folds {
  std::vector<int32_t> fold;
  int32_t k = 0;
  // A time holdout: fold 0 (the earlier rows) only trains, fold 1 (the last rows) only tests.
  bool holdout = false;
  // Each fold's id as a folds file wrote it (`1` to `5`, as pandas or R number them), so
  // that a report names the folds the user knows; empty: fold f is named f.
  std::vector<int64_t> ids;

  int64_t Id(int32_t f) const { return ids.empty() ? f : ids[f]; }
};

// Stratified k folds: the positives and the negatives are each shuffled (deterministically for
// `seed`) and dealt round-robin, so every fold has the label's rate within one row.
Folds StratifiedFolds(const std::vector<uint8_t>& label, int32_t k, uint64_t seed);

// The last `share` of the rows (in file order, which the caller knows to be time order) as
// the test fold of a time holdout.
Folds TimeHoldout(size_t rows, double share);

// Reads a CSV with columns `row` (0-based data row of the table's file) and `fold` (any
// integers; renumbered 0..k-1 in increasing order, the file's ids kept in `ids`). `row_index` maps
// usable rows to the file's data rows; a usable row the file does not list, a row listed twice or a
// row out of range is an error naming the line.
Result<Folds> ReadFoldsFile(const std::string& path, const std::vector<uint64_t>& row_index,
                            uint64_t data_rows);

// A stratified split of `rows` into a part for fitting and `holdout_share` of them for
// validation, deterministic for `seed`.
struct Split {
  std::vector<uint32_t> fit;
  std::vector<uint32_t> validation;
};
Split StratifiedSplit(const std::vector<uint32_t>& rows, const std::vector<uint8_t>& label,
                      double holdout_share, uint64_t seed);

}  // namespace leadscore::learn
