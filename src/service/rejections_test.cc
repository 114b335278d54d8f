#include "service/rejections.h"

#include <gtest/gtest.h>

namespace leadscore::service {
namespace {

TEST(Rejections, ListsEveryOneWithoutALimit) {
  Rejections rejected;
  for (size_t i = 0; i < 5000; ++i) rejected.push_back({i, "", "bad"});
  EXPECT_EQ(rejected.size(), 5000u);
  EXPECT_EQ(rejected[4999].index, 4999u);
  EXPECT_EQ(rejected.Listed().size(), 5000u);
}

TEST(Rejections, ListsTheFirstByIndexAndCountsTheRest) {
  Rejections rejected(3);
  // A body's split finds some, then validation others with lower indexes.
  for (size_t i : {4, 7, 9, 12, 20}) rejected.push_back({i, "", "split"});
  for (size_t i : {0, 5, 30}) rejected.push_back({i, "lead_id", "missing lead_id"});
  EXPECT_EQ(rejected.size(), 8u);
  auto listed = rejected.Listed();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].index, 0u);
  EXPECT_EQ(listed[0].field, "lead_id");
  EXPECT_EQ(listed[1].index, 4u);
  EXPECT_EQ(listed[2].index, 5u);
}

}  // namespace
}  // namespace leadscore::service
