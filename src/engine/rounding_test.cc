#include "engine/rounding.h"

#include <gtest/gtest.h>

#include <cmath>

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

TEST(Rounding, Round2IsNeverNegativeZero) {
  EXPECT_FALSE(std::signbit(Round2(-0.0001)));
  EXPECT_EQ(Round2(4.999), 5.0);
}

}  // namespace
}  // namespace leadscore::engine
