#include "learn/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace leadscore::learn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Row indices by score, highest first; ties in index order.
std::vector<uint32_t> OrderDescending(std::span<const double> score) {
  std::vector<uint32_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return score[a] > score[b]; });
  return order;
}

}  // namespace

double Auc(std::span<const double> score, std::span<const uint8_t> label) {
  const std::vector<uint32_t> order = OrderDescending(score);
  // Walk from the top; within a run of tied scores, each positive beats the negatives below
  // the run and ties half of those inside it.
  double positives = 0, negatives = 0, pairs_won = 0;
  size_t i = 0;
  while (i < order.size()) {
    size_t j = i;
    double run_pos = 0, run_neg = 0;
    while (j < order.size() && score[order[j]] == score[order[i]]) {
      (label[order[j]] ? run_pos : run_neg) += 1;
      ++j;
    }
    // Negatives in this run lose to every positive above it and tie with those in it.
    pairs_won += run_neg * positives + 0.5 * run_neg * run_pos;
    positives += run_pos;
    negatives += run_neg;
    i = j;
  }
  if (positives == 0 || negatives == 0) return kNaN;
  return pairs_won / (positives * negatives);
}

double AveragePrecision(std::span<const double> score, std::span<const uint8_t> label) {
  const std::vector<uint32_t> order = OrderDescending(score);
  double total_pos = 0;
  for (uint8_t y : label) total_pos += y;
  if (total_pos == 0) return kNaN;
  double tp = 0, seen = 0, ap = 0, last_recall = 0;
  size_t i = 0;
  while (i < order.size()) {
    size_t j = i;
    while (j < order.size() && score[order[j]] == score[order[i]]) {
      tp += label[order[j]];
      seen += 1;
      ++j;
    }
    const double recall = tp / total_pos;
    ap += (recall - last_recall) * (tp / seen);
    last_recall = recall;
    i = j;
  }
  return ap;
}

double LogLoss(std::span<const double> probability, std::span<const uint8_t> label) {
  if (probability.empty()) return kNaN;
  double sum = 0;
  for (size_t i = 0; i < probability.size(); ++i) {
    const double p = std::clamp(probability[i], 1e-15, 1 - 1e-15);
    sum -= label[i] ? std::log(p) : std::log1p(-p);
  }
  return sum / probability.size();
}

double Brier(std::span<const double> probability, std::span<const uint8_t> label) {
  if (probability.empty()) return kNaN;
  double sum = 0;
  for (size_t i = 0; i < probability.size(); ++i) {
    const double d = probability[i] - label[i];
    sum += d * d;
  }
  return sum / probability.size();
}

Metrics Measure(std::span<const double> probability, std::span<const uint8_t> label) {
  return {Auc(probability, label), AveragePrecision(probability, label),
          LogLoss(probability, label), Brier(probability, label)};
}

Interval WilsonInterval(uint64_t positives, uint64_t rows) {
  if (rows == 0) return {kNaN, kNaN};
  const double z = 1.959963984540054;
  const double n = static_cast<double>(rows);
  const double p = positives / n;
  const double denom = 1 + z * z / n;
  const double centre = (p + z * z / (2 * n)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

std::vector<Band> BandsByProbability(std::span<const double> probability,
                                     std::span<const uint8_t> label, int bands) {
  const std::vector<uint32_t> order = OrderDescending(probability);
  double total_pos = 0;
  for (uint8_t y : label) total_pos += y;
  const double overall = order.empty() ? kNaN : total_pos / order.size();
  std::vector<Band> out;
  double cumulative_pos = 0;
  size_t i = 0;
  for (int b = 1; b <= bands && i < order.size(); ++b) {
    // The band ends at its equal-count boundary, pushed past any run of ties.
    size_t end = order.size() * b / bands;
    if (end <= i) continue;
    while (end < order.size() && probability[order[end]] == probability[order[end - 1]]) ++end;
    Band band;
    band.index = static_cast<int>(out.size()) + 1;
    band.max_probability = probability[order[i]];
    band.min_probability = probability[order[end - 1]];
    double sum_p = 0;
    for (size_t r = i; r < end; ++r) {
      sum_p += probability[order[r]];
      band.positives += label[order[r]];
    }
    band.rows = end - i;
    band.mean_probability = sum_p / band.rows;
    band.rate = static_cast<double>(band.positives) / band.rows;
    const Interval ci = WilsonInterval(band.positives, band.rows);
    band.rate_low = ci.low;
    band.rate_high = ci.high;
    band.lift = band.rate / overall;
    cumulative_pos += band.positives;
    band.cumulative_gain = total_pos > 0 ? cumulative_pos / total_pos : kNaN;
    out.push_back(band);
    i = end;
  }
  return out;
}

}  // namespace leadscore::learn
