// Binning columns for the scorecard: each numeric column into ranges by quantile, each
// categorical column into its frequent levels and one "other" bin, and a bin for missing
// values. A row then falls in exactly one bin of every feature, and a bin is what a rule of
// the written model tests.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "learn/table.h"

namespace leadscore::learn {

enum class BinKind : uint8_t { kMissing, kRange, kLevel, kOther };

struct Bin {
  BinKind kind = BinKind::kMissing;
  double low = -std::numeric_limits<double>::infinity();  // kRange: low <= x < high
  double high = std::numeric_limits<double>::infinity();
  std::string level = {};  // kLevel
  // On the rows the binning was fitted on:
  uint64_t rows = 0, positives = 0;
};

struct FeatureBins {
  size_t column = 0;  // index into LabeledTable::columns
  std::string name;
  ColumnKind kind = ColumnKind::kNumeric;
  std::vector<Bin> bins;
  std::vector<double> cuts;  // numeric: ascending; range bin i holds cuts[i-1] <= x < cuts[i]
  std::vector<int32_t> bin_of_code;  // categorical: level code -> bin
  int32_t missing_bin = 0;           // always present, possibly with no rows
  int32_t other_bin = -1;            // categorical: levels too rare for a bin of their own
  int32_t first_range_bin = 0;

  int32_t BinOf(const Column& column, size_t row) const;
};

struct BinningOptions {
  int max_bins = 10;  // per numeric column, missing not counted
  // Per feature counted from events: each bin edge becomes an engagement rule, and a model
  // allows 64 rules per event type (3 windows, recency and 12 url groups in 4 bins: 49).
  int max_event_bins = 4;
  double min_share = 0.005;  // of the rows, for a level or range to get its own bin
  uint64_t min_rows = 20;    // and at least this many rows
};

// Column j of the one-hot design is bin `j - offset[f]` of feature f.
struct Binning {
  std::vector<FeatureBins> features;
  std::vector<size_t> offset;
  size_t columns = 0;
};

// Fits bins on `rows` of `table`. Columns with a single bin holding every row (constant) are
// left out, as they carry no information, and so are event features no rule can compute
// (active days).
Binning FitBinning(const LabeledTable& table, std::span<const uint32_t> rows,
                   const BinningOptions& options = {});

// The design: for each of `rows`, the global column of its bin in each feature, row-major.
std::vector<uint32_t> BinRows(const Binning& binning, const LabeledTable& table,
                              std::span<const uint32_t> rows);

}  // namespace leadscore::learn
