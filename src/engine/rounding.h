// How scores are printed: 2 decimals, half away from zero (SCORING.md). Conditions and sorting
// use unrounded values; only what is shown is rounded.
#pragma once

#include <string>

namespace leadscore::engine {

// `v` rounded to 2 decimals, half away from zero, judged on the exact binary value of `v`
// (0.125 -> 0.13, 1.005 -> 1.00 since the double 1.005 is just below it). Never -0.
double Round2(double v);

// Round2(v) as text with exactly two decimals: "72.50", "0.00", "-12.50".
std::string FormatScore(double v);

// Appends FormatScore(v) to `out` without a temporary string.
void AppendScore(std::string& out, double v);

}  // namespace leadscore::engine
