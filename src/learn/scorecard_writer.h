// A trained scorecard written out as an ordinary model file (SCORING.md): one fit rule per bin
// that earns points, integer points on a 0-100 scale where that keeps the model's ranking,
// and comments that carry each rule's weight, weight of evidence and support.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "learn/scorecard.h"
#include "learn/table.h"

namespace leadscore::learn {

struct ScorecardFileOptions {
  std::string name = "scorecard";
  std::string source;                     // the training file, for the header comment
  std::string label_text;                 // e.g. "Converted = 1"
  std::vector<std::string> placeholders;  // values read as missing in training
  double max_auc_loss = 0.002;            // rounding may cost at most this much training AUC
};

struct ScorecardFile {
  std::string yaml;
  int decimals = 0;       // of the points: 0 when whole points kept the ranking
  double auc_model = 0;   // the logistic model on the training rows
  double auc_points = 0;  // the written points on the same rows
  double offset = 0;      // probability = sigmoid(offset + slope * score)
  double slope = 0;
  size_t rules = 0;
};

// `rows`: the rows the scorecard was trained on (for the support figures and the AUC check).
ScorecardFile WriteScorecard(const Scorecard& card, const LabeledTable& table,
                             std::span<const uint32_t> rows, const ScorecardFileOptions& options);

// The probability the file WriteScorecard writes (trained on `train_rows`) gives each of
// `rows`, through the formula in its header: what scoring with the deployed file gives, its
// points rounded as written, rather than the model's own probability.
std::vector<double> WrittenProbabilities(const Scorecard& card, const LabeledTable& table,
                                         std::span<const uint32_t> train_rows,
                                         std::span<const uint32_t> rows,
                                         const ScorecardFileOptions& options);

}  // namespace leadscore::learn
