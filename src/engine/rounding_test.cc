#include "engine/rounding.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace leadscore::engine {
namespace {

TEST(Rounding, HalfAwayFromZeroOnTheExactValue) {
  EXPECT_EQ(FormatScore(0.125), "0.13");  // exactly representable tie: away from zero
  EXPECT_EQ(FormatScore(-0.125), "-0.13");
  EXPECT_EQ(FormatScore(2.675), "2.67");  // the double is 2.67499999...
  EXPECT_EQ(FormatScore(1.005), "1.00");  // the double is 1.00499999...
  EXPECT_EQ(FormatScore(0.375), "0.38");
  EXPECT_EQ(FormatScore(72.5), "72.50");
  EXPECT_EQ(FormatScore(100), "100.00");
  EXPECT_EQ(FormatScore(0), "0.00");
  EXPECT_EQ(FormatScore(-0.001), "0.00");  // never "-0.00"
  EXPECT_EQ(FormatScore(-12.5), "-12.50");
  EXPECT_EQ(FormatScore(33.333333), "33.33");
  EXPECT_EQ(FormatScore(0.004999), "0.00");
  EXPECT_EQ(FormatScore(0.005), "0.01");  // the double 0.005 is 0.005000000000000000104
}

// Above 2^53 hundredths no double holds the rounded value: the text is made from the exact
// decimal expansion, not from a rounded double that printf would round again, half to even.
TEST(Rounding, LargeValuesRoundHalfAwayFromZeroToo) {
  EXPECT_EQ(FormatScore(10000000000000.125), "10000000000000.13");
  EXPECT_EQ(FormatScore(20000000000000.375), "20000000000000.38");
  EXPECT_EQ(FormatScore(-10000000000000.125), "-10000000000000.13");
  EXPECT_EQ(FormatScore(100000000000000.125), "100000000000000.13");
  EXPECT_EQ(FormatScore(999999999999999.875), "999999999999999.88");
  EXPECT_EQ(FormatScore(9999999999999.99609375), "10000000000000.00");  // carries through
  EXPECT_EQ(FormatScore(1000000000000.005), "1000000000000.01");        // ...0050048828125
  EXPECT_EQ(FormatScore(1e20), "100000000000000000000.00");
  EXPECT_EQ(FormatScore(-3e15), "-3000000000000000.00");
  EXPECT_EQ(Round2(10000000000000.125), 10000000000000.13);
  EXPECT_EQ(Round2(-999999999999999.875), -999999999999999.88);
}

// AppendScore prints integer hundredths itself: the same text as fmt's "{:.2f}" of Round2.
TEST(Rounding, AppendScorePrintsWhatFormatScoreDoes) {
  std::vector<double> values = {0.0,   -0.0,  0.005, -0.005,        0.125, 2.675, 1.005, 99.995,
                                100.0, -12.5, 1e11,  -1e11 - 0.125, 1e12,  3e15,  1e-300};
  uint64_t state = 42;
  for (int i = 0; i < 20000; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double unit = static_cast<double>(state >> 11) / 9007199254740992.0;
    values.push_back((unit - 0.3) * (i % 2 == 0 ? 250.0 : 1e7));
    values.push_back(std::round(unit * 40000) / 400);  // hundredths and near-ties
  }
  for (double v : values) {
    std::string out;
    AppendScore(out, v);
    ASSERT_EQ(out, fmt::format("{:.2f}", Round2(v))) << v;
  }
  std::string inf;
  AppendScore(inf, INFINITY);
  EXPECT_EQ(inf, "inf");
}

TEST(Rounding, Round2IsNeverNegativeZero) {
  EXPECT_FALSE(std::signbit(Round2(-0.0001)));
  EXPECT_EQ(Round2(4.999), 5.0);
}

}  // namespace
}  // namespace leadscore::engine
