#include "learn/scorecard.h"

#include <limits>

#include "learn/folds.h"
#include "learn/metrics.h"

namespace leadscore::learn {
namespace {

Scorecard Fit(const LabeledTable& table, std::span<const uint32_t> rows,
              const BinningOptions& binning_options, double l2, int threads) {
  Scorecard card;
  card.binning = FitBinning(table, rows, binning_options);
  const std::vector<uint32_t> design = BinRows(card.binning, table, rows);
  std::vector<uint8_t> label;
  label.reserve(rows.size());
  for (uint32_t r : rows) label.push_back(table.label[r]);
  OneHotDesign x{design, card.binning.features.size(), card.binning.columns};
  card.model = FitLogistic(x, label, l2, threads);
  card.l2 = l2;
  card.rows = rows.size();
  for (uint8_t y : label) card.positives += y;
  return card;
}

std::vector<uint8_t> LabelsOf(const LabeledTable& table, std::span<const uint32_t> rows) {
  std::vector<uint8_t> out;
  out.reserve(rows.size());
  for (uint32_t r : rows) out.push_back(table.label[r]);
  return out;
}

}  // namespace

std::vector<double> Scorecard::Predict(const LabeledTable& table,
                                       std::span<const uint32_t> rows) const {
  const std::vector<uint32_t> design = BinRows(binning, table, rows);
  const size_t nf = binning.features.size();
  std::vector<double> p(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    p[i] = Sigmoid(model.Logit(std::span(design).subspan(i * nf, nf)));
  }
  return p;
}

Scorecard TrainScorecard(const LabeledTable& table, std::span<const uint32_t> rows,
                         const ScorecardOptions& options) {
  double best_l2 = options.l2_candidates.empty() ? 1.0 : options.l2_candidates.front();
  if (options.l2_candidates.size() > 1) {
    const Split split = StratifiedSplit(std::vector<uint32_t>(rows.begin(), rows.end()),
                                        table.label, 0.2, options.seed);
    const std::vector<uint8_t> validation_label = LabelsOf(table, split.validation);
    double best_loss = std::numeric_limits<double>::infinity();
    for (double l2 : options.l2_candidates) {
      const Scorecard trial = Fit(table, split.fit, options.binning, l2, options.threads);
      const double loss = LogLoss(trial.Predict(table, split.validation), validation_label);
      if (loss < best_loss) {
        best_loss = loss;
        best_l2 = l2;
      }
    }
  }
  return Fit(table, rows, options.binning, best_l2, options.threads);
}

}  // namespace leadscore::learn
