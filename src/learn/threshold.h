// Where to put the MQL threshold: from sales capacity (the share of leads sales can work) or
// from a target precision (the conversion rate the leads above the threshold must reach),
// read off held-out predictions so that the figures are what new leads will show.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace leadscore::learn {

struct ThresholdAdvice {
  double probability = 0;  // leads at or above it are MQLs
  uint64_t rows_above = 0, rows_below = 0;
  double share_above = 0;                                          // of all leads
  double rate_above = 0, rate_above_low = 0, rate_above_high = 0;  // conversion, 95 % interval
  double rate_below = 0, rate_below_low = 0, rate_below_high = 0;
  double recall = 0;  // share of all conversions above the threshold
};

// The threshold that makes about `share` of the leads MQLs (0 < share <= 1).
ThresholdAdvice ThresholdForShare(std::span<const double> probability,
                                  std::span<const uint8_t> label, double share);

// The lowest threshold whose leads above convert at `precision` or better; nullopt when not
// even the single best group of tied leads does.
std::optional<ThresholdAdvice> ThresholdForPrecision(std::span<const double> probability,
                                                     std::span<const uint8_t> label,
                                                     double precision);

}  // namespace leadscore::learn
