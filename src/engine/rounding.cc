#include "engine/rounding.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace leadscore::engine {

namespace {

// `a` (finite, >= 0) in hundredths, rounded half away from zero: an integer-valued double.
double RoundedHundredths(double a) {
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
  return rounded;
}

}  // namespace

double Round2(double v) {
  if (!std::isfinite(v)) return v;
  double out = RoundedHundredths(std::fabs(v)) / 100.0;
  if (out == 0) return 0.0;
  return v < 0 ? -out : out;
}

std::string FormatScore(double v) { return fmt::format("{:.2f}", Round2(v)); }

void AppendScore(std::string& out, double v) {
  // Scores are printed a few million times a run: integer digits rather than fmt's float
  // formatting, which took half of the output's time. Equal to "{:.2f}" of Round2(v): that
  // double is the nearest to hundredths / 100, and far below 2^53 / 100 it prints back as it.
  if (!std::isfinite(v) || std::fabs(v) >= 1e12) {
    fmt::format_to(std::back_inserter(out), "{:.2f}", Round2(v));
    return;
  }
  const auto hundredths = static_cast<uint64_t>(RoundedHundredths(std::fabs(v)));
  if (v < 0 && hundredths != 0) out += '-';
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, hundredths / 100);
  out.append(digits, end);
  const auto cents = static_cast<unsigned>(hundredths % 100);
  out += '.';
  out += static_cast<char>('0' + cents / 10);
  out += static_cast<char>('0' + cents % 10);
}

}  // namespace leadscore::engine
