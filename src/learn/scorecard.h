// The scorecard: L2-regularized logistic regression on binned features, chosen so that it can
// be written out as an ordinary model file of additive points (scorecard_writer.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "learn/binning.h"
#include "learn/logistic.h"
#include "learn/table.h"

namespace leadscore::learn {

struct ScorecardOptions {
  BinningOptions binning;
  // The L2 strength is chosen among these by log loss on a stratified fifth of the training
  // rows held out; with one candidate there is no search.
  std::vector<double> l2_candidates = {0.3, 1, 3, 10, 30, 100};
  uint64_t seed = 42;
  int threads = 0;  // 0: every core
};

struct Scorecard {
  Binning binning;
  LogisticModel model;
  double l2 = 0;
  uint64_t rows = 0, positives = 0;  // the rows it was trained on

  // Probability of the positive label for each of `rows` of `table`.
  std::vector<double> Predict(const LabeledTable& table, std::span<const uint32_t> rows) const;
};

Scorecard TrainScorecard(const LabeledTable& table, std::span<const uint32_t> rows,
                         const ScorecardOptions& options = {});

}  // namespace leadscore::learn
