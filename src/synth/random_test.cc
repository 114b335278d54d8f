// Tests for the generator's random streams: fixed values pin cross-platform determinism.
#include "synth/random.h"

#include <gtest/gtest.h>

#include <array>

namespace leadscore::synth {
namespace {

TEST(Rng, SplitMix64MatchesReferenceValues) {
  // Reference: splitmix64.c by Sebastiano Vigna, seeded with 1234567.
  Rng rng(1234567);
  EXPECT_EQ(rng.Next(), 6457827717110365317ULL);
  EXPECT_EQ(rng.Next(), 3203168211198807973ULL);
  EXPECT_EQ(rng.Next(), 9817491932198370423ULL);
}

TEST(Rng, BelowStaysInRangeAndCoversIt) {
  Rng rng(7);
  std::array<int, 10> seen{};
  for (int i = 0; i < 10000; ++i) {
    uint64_t v = rng.Below(10);
    ASSERT_LT(v, 10u);
    ++seen[v];
  }
  for (int count : seen) {
    EXPECT_GT(count, 850);
    EXPECT_LT(count, 1150);
  }
}

TEST(Rng, StreamsDifferByIndexAndSeed) {
  EXPECT_NE(Rng::ForStream(1, 2, 3).state(), Rng::ForStream(1, 2, 4).state());
  EXPECT_NE(Rng::ForStream(1, 2, 3).state(), Rng::ForStream(2, 2, 3).state());
  EXPECT_EQ(Rng::ForStream(1, 2, 3).state(), Rng::ForStream(1, 2, 3).state());
}

TEST(Rng, ChanceMatchesItsProbability) {
  Rng rng(11);
  int hits = 0;
  for (int i = 0; i < 100000; ++i) hits += rng.Chance(250'000);
  EXPECT_NEAR(hits, 25000, 600);
}

TEST(Discrete, FollowsWeightsAndSkipsZeros) {
  Rng rng(3);
  const uint32_t weights[] = {1, 0, 3};
  const Discrete discrete(weights);
  std::array<int, 3> seen{};
  for (int i = 0; i < 40000; ++i) ++seen[discrete.Pick(rng)];
  EXPECT_EQ(seen[1], 0);
  EXPECT_NEAR(seen[0], 10000, 500);
  EXPECT_NEAR(seen[2], 30000, 500);
}

}  // namespace
}  // namespace leadscore::synth
