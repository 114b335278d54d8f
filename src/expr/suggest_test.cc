// Tests for did-you-mean suggestions.
#include "expr/suggest.h"

#include <gtest/gtest.h>

#include <vector>

namespace leadscore::expr {
namespace {

TEST(Suggest, EditDistance) {
  EXPECT_EQ(EditDistance("lower", "lower"), 0u);
  EXPECT_EQ(EditDistance("lowr", "lower"), 1u);
  EXPECT_EQ(EditDistance("LOWER", "lower"), 0u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
}

TEST(Suggest, PicksClosestWithinLimit) {
  std::vector<std::string> names = {"lower", "upper", "len", "days_since"};
  EXPECT_EQ(Suggest("lowr", names), "lower");
  EXPECT_EQ(Suggest("uper", names), "upper");
  EXPECT_EQ(Suggest("day_since", names), "days_since");
  EXPECT_EQ(Suggest("size", names), std::nullopt);
  EXPECT_EQ(Suggest("xyz", names), std::nullopt);
  EXPECT_EQ(Suggest("x", {}), std::nullopt);
}

}  // namespace
}  // namespace leadscore::expr
