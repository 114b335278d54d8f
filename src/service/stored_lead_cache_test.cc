#include "service/stored_lead_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace leadscore::service {
namespace {

store::ScoreRow Score(const std::string& model, const std::string& lead_id, double score) {
  return {model, lead_id, 1, score, score, 0, "A", std::nullopt, 100};
}

StoredLeadCache::Entry Lead(const std::string& lead_id, std::string attributes = "{}") {
  return {{lead_id, std::move(attributes), 1, 2}, {Score("main", lead_id, 10)}};
}

TEST(StoredLeadCacheTest, FindsWhatWasPutWithItsScoreByModel) {
  StoredLeadCache cache(1 << 20);
  EXPECT_EQ(cache.Find("a"), nullptr);
  cache.Put(Lead("a", R"({"country":"FR"})"));
  const StoredLeadCache::Entry* a = cache.Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->lead.attributes, R"({"country":"FR"})");
  ASSERT_TRUE(StoredLeadCache::ScoreOf(*a, "main"));
  EXPECT_EQ(StoredLeadCache::ScoreOf(*a, "main")->score, 10);
  EXPECT_FALSE(StoredLeadCache::ScoreOf(*a, "challenger"));
  EXPECT_EQ(cache.Find("b"), nullptr);
}

TEST(StoredLeadCacheTest, CommittedScoresReachOnlyTheLeadsItHolds) {
  StoredLeadCache cache(1 << 20);
  cache.Put(Lead("a"));
  std::vector<store::ScoreRow> written{Score("main", "a", 42), Score("challenger", "a", 7),
                                       Score("main", "b", 99)};
  cache.UpdateScores(written);
  const StoredLeadCache::Entry* a = cache.Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(StoredLeadCache::ScoreOf(*a, "main")->score, 42);       // replaced
  EXPECT_EQ(StoredLeadCache::ScoreOf(*a, "challenger")->score, 7);  // added
  EXPECT_EQ(a->scores.size(), 2u);
  // A lead whose row it does not hold is not made up from a score.
  EXPECT_EQ(cache.Find("b"), nullptr);
}

TEST(StoredLeadCacheTest, ForgetDropsTheEntryAndItsBytes) {
  StoredLeadCache cache(1 << 20);
  cache.Put(Lead("a"));
  cache.Put(Lead("b"));
  const size_t two = cache.bytes();
  cache.Forget("a");
  EXPECT_EQ(cache.Find("a"), nullptr);
  EXPECT_NE(cache.Find("b"), nullptr);
  EXPECT_LT(cache.bytes(), two);
  cache.Forget("never there");
  EXPECT_EQ(cache.size(), 1u);
  cache.Forget("b");
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(StoredLeadCacheTest, PutReplacesTheEntryOfALead) {
  StoredLeadCache cache(1 << 20);
  cache.Put(Lead("a", R"({"v":1})"));
  const size_t one = cache.bytes();
  cache.Put(Lead("a", R"({"v":2})"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.bytes(), one);
  EXPECT_EQ(cache.Find("a")->lead.attributes, R"({"v":2})");
}

TEST(StoredLeadCacheTest, StaysWithinItsBudget) {
  const size_t budget = 64 << 10;
  StoredLeadCache cache(budget);
  for (int i = 0; i < 10000; ++i) {
    cache.Put(Lead("lead-" + std::to_string(i), std::string(100, 'x')));
    ASSERT_LE(cache.bytes(), budget);
  }
  EXPECT_GT(cache.size(), 100u);  // it holds some
  EXPECT_LT(cache.size(), 10000u);
  // A budget of nothing holds nothing.
  StoredLeadCache none(0);
  none.Put(Lead("a"));
  EXPECT_EQ(none.Find("a"), nullptr);
}

}  // namespace
}  // namespace leadscore::service
