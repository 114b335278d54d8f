// Gradient-boosted trees through XGBoost's C API, tuned automatically: a small grid of depths
// with early stopping on a held-out fifth of the training rows, then a refit on all of them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "learn/feature_config.h"
#include "learn/table.h"

namespace leadscore::learn {

// One input of the trees: a numeric column as it is, or a categorical column as XGBoost's
// native categories (its frequent levels numbered in order, every rarer level one more
// category, missing as missing), so that a split can group levels and a wide column costs one
// input, not one per level.
struct TreeFeature {
  std::string column;
  ColumnKind kind = ColumnKind::kNumeric;
  std::vector<std::string> levels = {};  // categorical: category i is levels[i]
};

struct TreeEncoding {
  std::vector<TreeFeature> features;
  // The placeholder values training read as missing (`Select`): data to score must be read
  // with the same ones.
  std::vector<std::string> missing = {};
  // Columns computed from others (the feature config's derived columns), which data to score
  // must have added the same way before Encode.
  std::vector<DerivedColumn> derived = {};
  // The rule model whose contributions are features (rule_features.h), as YAML text: "" when
  // none is. Data to score gets them from this model, whatever model a service runs.
  std::string rule_model = {};
  // The rule features counted each lead's events up to its time (trained on history), rather
  // than scoring the attributes alone (trained on a table).
  bool rule_history = false;

  // Row-major float matrix of `rows` of `table` (NaN when a numeric value is missing). Columns
  // are found by name, so a table read later from another file works too; a column it lacks
  // is missing throughout.
  std::vector<float> Encode(const LabeledTable& table, std::span<const uint32_t> rows) const;
};

// Numeric columns as they are; categorical columns with their levels seen on at least
// `min_rows` of `rows`.
TreeEncoding FitTreeEncoding(const LabeledTable& table, std::span<const uint32_t> rows,
                             uint64_t min_rows = 10);

struct TreeParams {
  int max_depth = 6;
  double eta = 0.05;
  int rounds = 100;
  double subsample = 0.8;
  double colsample = 0.8;
  // Histogram bins per numeric input. XGBoost's 256 blur a fine-grained rate such as bank
  // marketing's euribor3m: 1024 gained 0.0015 AUC there, no loss elsewhere (bench/predictive);
  // a large table keeps 256 for speed.
  int max_bin = 1024;
};

struct TreeOptions {
  std::vector<int> depths = {3, 5, 7};
  double eta = 0.05;
  int max_rounds = 3000;
  int patience = 100;   // rounds without a better validation log loss before stopping
  double min_gain = 0;  // the log loss a round must gain on the best to count as better
  uint64_t seed = 42;
  int threads = 0;                        // 0: every core on large tables, one on small ones
  std::vector<std::string> missing = {};  // kept in the model's encoding
  std::string rule_model = {};            // kept in the model's encoding
  bool rule_history = false;              // kept in the model's encoding
};

struct Contribution {
  std::string feature;
  double value = 0;  // in log-odds
};

class TreeModel {
 public:
  TreeModel();
  ~TreeModel();
  TreeModel(TreeModel&&) noexcept;
  TreeModel& operator=(TreeModel&&) noexcept;

  const TreeEncoding& encoding() const;
  // The input columns, in order.
  std::vector<std::string> columns() const;
  const TreeParams& params() const;

  Result<std::vector<double>> Predict(const LabeledTable& table,
                                      std::span<const uint32_t> rows) const;
  // The `top` largest contributions (by absolute value) of each row, largest first.
  Result<std::vector<std::vector<Contribution>>> Explain(const LabeledTable& table,
                                                         std::span<const uint32_t> rows,
                                                         size_t top) const;
  // XGBoost's JSON model, with the encoding and parameters kept in its attributes.
  Status Save(const std::string& path) const;
  static Result<TreeModel> Load(const std::string& path);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend Result<TreeModel> TrainTrees(const LabeledTable&, std::span<const uint32_t>,
                                      const TreeOptions&);
};

Result<TreeModel> TrainTrees(const LabeledTable& table, std::span<const uint32_t> rows,
                             const TreeOptions& options = {});

}  // namespace leadscore::learn
