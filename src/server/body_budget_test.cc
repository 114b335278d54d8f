#include "server/body_budget.h"

#include <gtest/gtest.h>

#include <utility>

namespace leadscore::server {
namespace {

TEST(BodyBudgetTest, ReservesUpToTheCapacityAndNoFurther) {
  BodyBudget budget(100);
  auto a = budget.Reserve(60);
  ASSERT_TRUE(a);
  EXPECT_FALSE(budget.Reserve(41));
  auto b = budget.Reserve(40);
  ASSERT_TRUE(b);
  EXPECT_EQ(budget.in_use(), 100u);
  EXPECT_FALSE(budget.Reserve(1));
  EXPECT_TRUE(budget.Reserve(0));
}

TEST(BodyBudgetTest, ALeaseGivesItsBytesBackOnceWhenItEnds) {
  BodyBudget budget(100);
  {
    auto a = budget.Reserve(70);
    ASSERT_TRUE(a);
    BodyBudget::Lease moved = std::move(*a);
    a.reset();  // the moved-from lease holds nothing
    EXPECT_EQ(budget.in_use(), 70u);
    auto b = budget.Reserve(30);
    ASSERT_TRUE(b);
    moved = std::move(*b);  // gives back the 70, takes over the 30
    EXPECT_EQ(budget.in_use(), 30u);
  }
  EXPECT_EQ(budget.in_use(), 0u);
  EXPECT_TRUE(budget.Reserve(100));
}

TEST(BodyBudgetTest, MoreThanTheCapacityIsNeverGranted) {
  BodyBudget budget(100);
  EXPECT_FALSE(budget.Reserve(101));
  EXPECT_FALSE(budget.Reserve(static_cast<size_t>(-1)));
  EXPECT_EQ(budget.in_use(), 0u);
}

}  // namespace
}  // namespace leadscore::server
