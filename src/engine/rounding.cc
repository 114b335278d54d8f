#include "engine/rounding.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

namespace leadscore::engine {

double Round2(double v) {
  if (!std::isfinite(v)) return v;
  double a = std::fabs(v);
  double scaled = a * 100.0;
  double whole = std::floor(scaled);
  double frac = scaled - whole;
  double rounded;
  if (std::fabs(frac - 0.5) > 1e-6 || scaled > 1e15) {
    // Far from a tie: the product's rounding error cannot change the answer.
    rounded = frac > 0.5 ? whole + 1 : whole;
  } else {
    // Near a tie: decide on the exact decimal expansion of the double (glibc prints it exactly).
    char buf[400];
    std::snprintf(buf, sizeof buf, "%.60f", a);
    const char* dot = buf;
    while (*dot && *dot != '.') ++dot;
    // The kept part, read from the text: the integer digits and two decimals.
    double kept = 0;
    for (const char* p = buf; p < dot; ++p) kept = kept * 10 + (*p - '0');
    kept = kept * 100 + (dot[1] - '0') * 10 + (dot[2] - '0');
    rounded = dot[3] >= '5' ? kept + 1 : kept;
  }
  double out = rounded / 100.0;
  if (out == 0) return 0.0;
  return v < 0 ? -out : out;
}

std::string FormatScore(double v) { return fmt::format("{:.2f}", Round2(v)); }

void AppendScore(std::string& out, double v) {
  fmt::format_to(std::back_inserter(out), "{:.2f}", Round2(v));
}

}  // namespace leadscore::engine
