#include "learn/scorecard.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include "learn/folds.h"
#include "learn/metrics.h"
#include "learn/monotone.h"

namespace leadscore::learn {
namespace {

constexpr size_t kSearchRows = 200000;

// The rows of `design` (each `width` wide) at `positions`, and their labels.
struct SubDesign {
  std::vector<uint32_t> design;
  std::vector<uint8_t> label;
};
SubDesign Pick(std::span<const uint32_t> design, const std::vector<uint8_t>& label, size_t width,
               const std::vector<uint32_t>& positions) {
  SubDesign out;
  out.design.reserve(positions.size() * width);
  for (uint32_t p : positions) {
    out.design.insert(out.design.end(), design.begin() + p * width,
                      design.begin() + (p + 1) * width);
    out.label.push_back(label[p]);
  }
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
  // Bins come from the attribute values alone (quantiles, frequent levels), never from the
  // label, so they are fitted once on every row and shared by the search and the final fit.
  Scorecard card;
  card.binning = FitBinning(table, rows, options.binning);
  const size_t width = card.binning.features.size();
  const std::vector<uint32_t> design = BinRows(card.binning, table, rows);
  const std::vector<uint8_t> label = table.LabelsOf(rows);
  const OneHotDesign all{design, width, card.binning.columns};
  card.rows = rows.size();
  for (uint8_t y : label) card.positives += y;
  if (width == 0) {
    // No column varies enough for a bin of its own: the model is the base rate.
    const double positives = static_cast<double>(card.positives);
    card.model.intercept = std::log((positives + 0.5) / (card.rows - positives + 0.5));
    return card;
  }

  double best_l2 = options.l2_candidates.empty() ? 1.0 : options.l2_candidates.front();
  std::optional<LogisticModel> start;
  if (options.l2_candidates.size() > 1) {
    // The strength is chosen on a fifth held out; on a large table the search runs on a
    // stratified sample, as the strength that suits 200,000 rows suits more (the penalty
    // matters less and less as rows are added).
    std::vector<uint32_t> positions(rows.size());
    std::iota(positions.begin(), positions.end(), 0);
    if (positions.size() > kSearchRows) {
      positions = StratifiedSplit(positions, label,
                                  1.0 - static_cast<double>(kSearchRows) / positions.size(),
                                  options.seed + 1)
                      .fit;
    }
    const Split split = StratifiedSplit(positions, label, 0.2, options.seed);
    const SubDesign fit = Pick(design, label, width, split.fit);
    const SubDesign validation = Pick(design, label, width, split.validation);
    // Strongest penalty first, each fit starting where the previous one ended.
    std::vector<double> candidates = options.l2_candidates;
    std::sort(candidates.rbegin(), candidates.rend());
    double best_loss = std::numeric_limits<double>::infinity();
    std::optional<LogisticModel> previous;
    for (double l2 : candidates) {
      LogisticModel trial = FitLogistic({fit.design, width, card.binning.columns}, fit.label, l2,
                                        options.threads, previous ? &*previous : nullptr);
      std::vector<double> p(validation.label.size());
      for (size_t i = 0; i < p.size(); ++i) {
        p[i] = Sigmoid(trial.Logit(std::span(validation.design).subspan(i * width, width)));
      }
      const double loss = LogLoss(p, validation.label);
      if (loss < best_loss) {
        best_loss = loss;
        best_l2 = l2;
        start = trial;
      }
      previous = std::move(trial);
    }
  }
  card.model = FitLogistic(all, label, best_l2, options.threads, start ? &*start : nullptr);
  MakeFeaturesMonotone(table, card.binning, card.model);
  card.l2 = best_l2;
  return card;
}

}  // namespace leadscore::learn
