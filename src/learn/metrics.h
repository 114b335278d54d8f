// How well predicted probabilities rank and fit 0/1 outcomes. Scores and labels are parallel
// vectors; every function accepts any length and gives NaN where the value is undefined
// (AUC with one class only, anything on no rows).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace leadscore::learn {

// Area under the ROC curve; tied scores count one half (the Mann-Whitney statistic).
double Auc(std::span<const double> score, std::span<const uint8_t> label);

// Average precision (area under the precision-recall curve as a step function), ties at one
// threshold taken together: sum over thresholds of (recall gained) x (precision there).
double AveragePrecision(std::span<const double> score, std::span<const uint8_t> label);

// Mean negative log-likelihood; probabilities are clipped to [1e-15, 1 - 1e-15].
double LogLoss(std::span<const double> probability, std::span<const uint8_t> label);

// Mean squared difference between probability and outcome.
double Brier(std::span<const double> probability, std::span<const uint8_t> label);

struct Metrics {
  double auc = 0, pr_auc = 0, log_loss = 0, brier = 0;
};
Metrics Measure(std::span<const double> probability, std::span<const uint8_t> label);

// A band of rows by predicted probability, highest first: decile 1 holds the top tenth.
struct Band {
  int index = 0;  // 1-based
  uint64_t rows = 0, positives = 0;
  double min_probability = 0, max_probability = 0;
  double mean_probability = 0;
  double rate = 0;                     // positives / rows
  double rate_low = 0, rate_high = 0;  // 95 % Wilson interval of the rate
  double lift = 0;                     // rate / overall rate
  double cumulative_gain = 0;          // share of all positives in this band and those above it
};

// `bands` equal-count bands by probability, highest first (rows with equal probability never
// straddle two bands, so bands can differ in size when there are ties).
std::vector<Band> BandsByProbability(std::span<const double> probability,
                                     std::span<const uint8_t> label, int bands = 10);

// 95 % Wilson score interval of a rate of `positives` in `rows`.
struct Interval {
  double low = 0, high = 0;
};
Interval WilsonInterval(uint64_t positives, uint64_t rows);

}  // namespace leadscore::learn
