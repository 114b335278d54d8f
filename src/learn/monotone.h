// Features made monotone in a trained scorecard: along its bins in order (a number from low to
// high; days since the last event from never, then old, to recent), a feature's weights only
// rise or only fall, whichever is closer to the fitted weights (pooled adjacent violators,
// weighted by the bins' rows).
//   - Event features always: a reader expects it of engagement rules, and it makes every bin
//     edge one rule of one sign (event_rules.h); free, the weights of the collinear windows (7,
//     30 and 90 days) zig-zagged, and rules of both signs summed below 0 where the engagement
//     clamp cut them.
//   - Numeric attributes when the monotone weights are within the noise of the fitted ones (a
//     chi-square test): with few conversions per bin the fitted weights zig-zag by chance, and
//     smoothing them raised the scorecard's AUC on Hillstrom from 0.6286 to 0.6323 and on
//     online shoppers from 0.9164 to 0.9172; a real bump (bank marketing's age) stays.
#pragma once

#include <span>
#include <vector>

#include "learn/binning.h"
#include "learn/logistic.h"
#include "learn/table.h"

namespace leadscore::learn {

// Weighted least-squares fit of `values` by a non-decreasing sequence.
std::vector<double> IsotonicFit(std::span<const double> values, std::span<const double> weights);

void MakeFeaturesMonotone(const LabeledTable& table, const Binning& binning, LogisticModel& model);

}  // namespace leadscore::learn
