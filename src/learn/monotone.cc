#include "learn/monotone.h"

#include <algorithm>

namespace leadscore::learn {

std::vector<double> IsotonicFit(std::span<const double> values, std::span<const double> weights) {
  struct Block {
    double mean, weight;
    size_t size;
  };
  std::vector<Block> blocks;
  for (size_t i = 0; i < values.size(); ++i) {
    blocks.push_back({values[i], weights[i], 1});
    while (blocks.size() > 1 && blocks[blocks.size() - 2].mean > blocks.back().mean) {
      const Block last = blocks.back();
      blocks.pop_back();
      Block& b = blocks.back();
      const double weight = b.weight + last.weight;
      b.mean = weight > 0 ? (b.mean * b.weight + last.mean * last.weight) / weight
                          : (b.mean + last.mean) / 2;
      b.weight = weight;
      b.size += last.size;
    }
  }
  std::vector<double> out;
  for (const Block& b : blocks) out.insert(out.end(), b.size, b.mean);
  return out;
}

void MakeFeaturesMonotone(const LabeledTable& table, const Binning& binning, LogisticModel& model) {
  for (size_t f = 0; f < binning.features.size(); ++f) {
    const FeatureBins& bins = binning.features[f];
    const auto& event = table.columns[bins.column].event;
    const bool attribute = !event;
    if (attribute && bins.kind != ColumnKind::kNumeric) continue;
    // The bins with rows, in order of activity: a count from low to high; days since the
    // last event from never, then old, to recent.
    std::vector<size_t> order;
    for (size_t i = 0; i < bins.bins.size(); ++i) {
      if (bins.bins[i].kind == BinKind::kRange && bins.bins[i].rows > 0) order.push_back(i);
    }
    const size_t never = static_cast<size_t>(bins.missing_bin);
    if (event && event->kind == EventFeature::Kind::kDaysSinceLast) {
      if (bins.bins[never].rows > 0) order.push_back(never);
      std::reverse(order.begin(), order.end());
    }
    if (order.size() < 2) continue;
    std::vector<double> w, rows, negated;
    for (size_t i : order) {
      w.push_back(model.weights[binning.offset[f] + i]);
      negated.push_back(-w.back());
      rows.push_back(static_cast<double>(bins.bins[i].rows));
    }
    const std::vector<double> up = IsotonicFit(w, rows);
    std::vector<double> down = IsotonicFit(negated, rows);
    for (double& d : down) d = -d;
    double up_error = 0, down_error = 0;
    for (size_t k = 0; k < w.size(); ++k) {
      up_error += rows[k] * (up[k] - w[k]) * (up[k] - w[k]);
      down_error += rows[k] * (down[k] - w[k]) * (down[k] - w[k]);
    }
    const std::vector<double>& fitted = up_error <= down_error ? up : down;
    if (attribute) {
      // Monotone only when that is within the noise of the fitted weights: the variance of a
      // bin's log-odds is about 1/positives + 1/negatives, and the squared differences over it
      // may sum to the number of bins (a chi-square's expected value).
      double chi_square = 0;
      for (size_t k = 0; k < order.size(); ++k) {
        const Bin& b = bins.bins[order[k]];
        const double pos = static_cast<double>(b.positives);
        const double neg = static_cast<double>(b.rows - b.positives);
        const double variance = 1 / (pos + 0.5) + 1 / (neg + 0.5);
        chi_square += (fitted[k] - w[k]) * (fitted[k] - w[k]) / variance;
      }
      if (chi_square > static_cast<double>(order.size())) continue;
    }
    for (size_t k = 0; k < order.size(); ++k) {
      model.weights[binning.offset[f] + order[k]] = fitted[k];
    }
  }
}

}  // namespace leadscore::learn
