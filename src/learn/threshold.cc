#include "learn/threshold.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "learn/metrics.h"

namespace leadscore::learn {
namespace {

std::vector<uint32_t> Descending(std::span<const double> probability) {
  std::vector<uint32_t> order(probability.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return probability[a] > probability[b]; });
  return order;
}

// The advice when the first `above` rows of `order` are MQLs. REQUIRES: 0 < above.
ThresholdAdvice AdviceAt(std::span<const double> probability, std::span<const uint8_t> label,
                         const std::vector<uint32_t>& order, size_t above) {
  ThresholdAdvice a;
  a.probability = probability[order[above - 1]];
  uint64_t pos_above = 0, pos_below = 0;
  for (size_t i = 0; i < order.size(); ++i) (i < above ? pos_above : pos_below) += label[order[i]];
  a.rows_above = above;
  a.rows_below = order.size() - above;
  a.share_above = static_cast<double>(above) / order.size();
  a.rate_above = static_cast<double>(pos_above) / a.rows_above;
  const Interval above_ci = WilsonInterval(pos_above, a.rows_above);
  a.rate_above_low = above_ci.low;
  a.rate_above_high = above_ci.high;
  if (a.rows_below > 0) {
    a.rate_below = static_cast<double>(pos_below) / a.rows_below;
    const Interval below_ci = WilsonInterval(pos_below, a.rows_below);
    a.rate_below_low = below_ci.low;
    a.rate_below_high = below_ci.high;
  }
  const uint64_t positives = pos_above + pos_below;
  a.recall = positives ? static_cast<double>(pos_above) / positives : 0;
  return a;
}

// Past the run of rows tied with row `end - 1`, so a threshold never splits equal scores.
size_t EndOfTies(std::span<const double> probability, const std::vector<uint32_t>& order,
                 size_t end) {
  while (end < order.size() && probability[order[end]] == probability[order[end - 1]]) ++end;
  return end;
}

}  // namespace

ThresholdAdvice ThresholdForShare(std::span<const double> probability,
                                  std::span<const uint8_t> label, double share) {
  const std::vector<uint32_t> order = Descending(probability);
  size_t above = static_cast<size_t>(std::llround(share * order.size()));
  above = EndOfTies(probability, order, std::clamp<size_t>(above, 1, order.size()));
  return AdviceAt(probability, label, order, above);
}

std::optional<ThresholdAdvice> ThresholdForPrecision(std::span<const double> probability,
                                                     std::span<const uint8_t> label,
                                                     double precision) {
  const std::vector<uint32_t> order = Descending(probability);
  size_t best = 0;
  uint64_t positives = 0;
  size_t i = 0;
  while (i < order.size()) {
    const size_t end = EndOfTies(probability, order, i + 1);
    for (size_t r = i; r < end; ++r) positives += label[order[r]];
    if (static_cast<double>(positives) / end >= precision) best = end;
    i = end;
  }
  if (best == 0) return std::nullopt;
  return AdviceAt(probability, label, order, best);
}

}  // namespace leadscore::learn
