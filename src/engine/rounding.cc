#include "engine/rounding.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace leadscore::engine {

namespace {

// `a` (finite, >= 0) rounded to 2 decimals, half away from zero, as text ("12.50"): decided on
// the exact decimal expansion of the double, which glibc prints exactly. For any magnitude: above
// 2^53 hundredths no double holds the rounded value exactly.
std::string ExactRounded(double a) {
  char buf[400];  // the largest double has 309 integer digits
  std::snprintf(buf, sizeof buf, "%.60f", a);
  std::string digits;  // the integer digits and two decimals
  const char* dot = buf;
  for (; *dot != '.'; ++dot) digits += *dot;
  digits += dot[1];
  digits += dot[2];
  if (dot[3] >= '5') {
    size_t i = digits.size();
    while (i > 0 && digits[i - 1] == '9') digits[--i] = '0';
    if (i == 0) {
      digits.insert(digits.begin(), '1');
    } else {
      ++digits[i - 1];
    }
  }
  digits.insert(digits.end() - 2, '.');
  return digits;
}

// Below this, a's hundredths are exact in a double and the product a * 100 is within a few ulps.
constexpr double kFastLimit = 1e12;

// `a` (finite, >= 0, below kFastLimit) in hundredths, rounded half away from zero: an
// integer-valued double.
double RoundedHundredths(double a) {
  double scaled = a * 100.0;
  double whole = std::floor(scaled);
  double frac = scaled - whole;
  if (std::fabs(frac - 0.5) > 1e-6) {
    // Far from a tie: the product's rounding error cannot change the answer.
    return frac > 0.5 ? whole + 1 : whole;
  }
  // Near a tie: decide on the exact decimal expansion.
  const std::string text = ExactRounded(a);
  double hundredths = 0;
  for (char c : text) {
    if (c != '.') hundredths = hundredths * 10 + (c - '0');
  }
  return hundredths;
}

}  // namespace

double Round2(double v) {
  if (!std::isfinite(v)) return v;
  double out = std::fabs(v) < kFastLimit ? RoundedHundredths(std::fabs(v)) / 100.0
                                         : std::strtod(ExactRounded(std::fabs(v)).c_str(), nullptr);
  if (out == 0) return 0.0;
  return v < 0 ? -out : out;
}

std::string FormatScore(double v) {
  std::string out;
  AppendScore(out, v);
  return out;
}

void AppendScore(std::string& out, double v) {
  if (!std::isfinite(v)) {
    fmt::format_to(std::back_inserter(out), "{:.2f}", v);
    return;
  }
  if (std::fabs(v) >= kFastLimit) {
    const std::string text = ExactRounded(std::fabs(v));
    if (v < 0 && text != "0.00") out += '-';
    out += text;
    return;
  }
  // Scores are printed a few million times a run: integer digits rather than fmt's float
  // formatting, which took half of the output's time.
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
