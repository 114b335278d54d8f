#include "engine/match_memo.h"

#include <gtest/gtest.h>

#include <string>

namespace leadscore::engine {
namespace {

TEST(MatchMemo, FindsWhatWasInsertedAndNothingElse) {
  MatchMemo memo;
  EXPECT_EQ(memo.Find("/pricing"), nullptr);
  memo.Insert("/pricing", 0b101);
  memo.Insert("/pricing/enterprise", 0b1);
  memo.Insert("", 0b10);
  ASSERT_NE(memo.Find("/pricing"), nullptr);
  EXPECT_EQ(*memo.Find("/pricing"), 0b101u);
  EXPECT_EQ(*memo.Find("/pricing/enterprise"), 0b1u);
  EXPECT_EQ(*memo.Find(""), 0b10u);
  EXPECT_EQ(memo.Find("/pricin"), nullptr);
  EXPECT_EQ(memo.Find("/pricing/"), nullptr);
  EXPECT_EQ(memo.size(), 3u);
}

TEST(MatchMemo, KeepsEveryKeyUpToItsLimitAndNoneAfter) {
  MatchMemo memo(1000);
  for (int i = 0; i < 1500; ++i) {
    memo.Insert("/blog/post-" + std::to_string(i), static_cast<uint64_t>(i));
  }
  EXPECT_EQ(memo.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t* mask = memo.Find("/blog/post-" + std::to_string(i));
    ASSERT_NE(mask, nullptr) << i;
    EXPECT_EQ(*mask, static_cast<uint64_t>(i));
  }
  for (int i = 1000; i < 1500; ++i) {
    EXPECT_EQ(memo.Find("/blog/post-" + std::to_string(i)), nullptr) << i;
  }
}

TEST(MatchMemo, AFullMemoWhoseLookupsMostlyFailIsNoLongerWorthwhile) {
  MatchMemo memo(16);
  for (int i = 0; i < 16; ++i) memo.Insert("/a/" + std::to_string(i), 1);
  // Full, and three lookups in four find their key: still worth it, window after window.
  for (int i = 0; i < 20000; ++i) {
    memo.Find(i % 4 == 0 ? "/new/" + std::to_string(i) : "/a/" + std::to_string(i % 16));
  }
  EXPECT_TRUE(memo.worthwhile());
  // Every value new, as URLs with a query string per visit: given up within a window.
  int lookups = 0;
  while (memo.worthwhile() && lookups < 100000) memo.Find("/new/" + std::to_string(lookups++));
  EXPECT_FALSE(memo.worthwhile());
  EXPECT_LE(lookups, 2 * 4096);
  ASSERT_NE(memo.Find("/a/3"), nullptr);  // what it holds is still right
  memo.Clear();
  EXPECT_TRUE(memo.worthwhile());
}

TEST(MatchMemo, ANotFullMemoIsAlwaysWorthwhile) {
  MatchMemo memo(100000);
  for (int i = 0; i < 20000; ++i) {
    const std::string key = "/new/" + std::to_string(i);
    EXPECT_EQ(memo.Find(key), nullptr);
    memo.Insert(key, 1);
  }
  EXPECT_TRUE(memo.worthwhile());
}

TEST(MatchMemo, ClearForgetsEverything) {
  MatchMemo memo(2);
  memo.Insert("a", 1);
  memo.Insert("b", 2);
  memo.Clear();
  EXPECT_EQ(memo.size(), 0u);
  EXPECT_EQ(memo.Find("a"), nullptr);
  memo.Insert("c", 3);  // room again after Clear
  EXPECT_EQ(*memo.Find("c"), 3u);
}

}  // namespace
}  // namespace leadscore::engine
