#include "service/parsed_event_cache.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/compiled_model.h"
#include "service/lead_scorer.h"

namespace leadscore::service {
namespace {

const char* kModel = R"(
engagement:
  rules:
    - {id: pv, event: page_view, when: 'contains(url, "/pricing")', points: 3}
)";

std::shared_ptr<const engine::CompiledModel> Model() {
  auto m = engine::CompileModelText(kModel, "model.yaml");
  EXPECT_TRUE(m);
  return m ? *m : nullptr;
}

// `n` page views of lead `id`.
std::vector<std::string> Events(const std::string& id, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(fmt::format(
        R"({{"lead_id":"{}","type":"page_view","ts":"2024-01-01","url":"/pricing/{}"}})", id, i));
  }
  return out;
}

// `n` ascending seqs ending with `last`.
std::vector<int64_t> Seqs(size_t n, int64_t last) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < n; ++i) out.push_back(last - static_cast<int64_t>(n - 1 - i) * 3);
  return out;
}

class ParsedEventCacheTest : public testing::Test {
 protected:
  // What the cache holds for all of the lead's `n` seqs ending with `last`, or null.
  std::shared_ptr<const ParsedEvents> Held(ParsedEventCache& cache, const char* id, size_t n,
                                           int64_t last) {
    auto found = cache.Find(model_.get(), id, Seqs(n, last));
    return found.count == n ? found.events : nullptr;
  }
  std::shared_ptr<const ParsedEvents> Parsed(const std::string& id, size_t n) {
    return scorer_.Parse(id, Events(id, n));
  }
  std::shared_ptr<const engine::CompiledModel> model_ = Model();
  LeadScorer scorer_{model_};
};

TEST_F(ParsedEventCacheTest, HitsForTheSameEventsExtendsForMore) {
  ParsedEventCache cache(size_t{1} << 20);
  auto parsed = Parsed("a", 20);
  cache.Put(model_, "a", 20, 107, parsed);
  EXPECT_EQ(Held(cache, "a", 20, 107), parsed);
  // An event appended since: the first 20 are held.
  std::vector<int64_t> more = Seqs(20, 107);
  more.push_back(108);
  auto found = cache.Find(model_.get(), "a", more);
  EXPECT_EQ(found.events, parsed);
  EXPECT_EQ(found.count, 20u);
  EXPECT_EQ(cache.Find(model_.get(), "a", Seqs(20, 108)).events, nullptr);  // deleted, sent again
  EXPECT_EQ(cache.Find(model_.get(), "a", Seqs(19, 104)).events, nullptr);  // fewer
  EXPECT_EQ(cache.Find(model_.get(), "a", {}).events, nullptr);
  EXPECT_EQ(cache.Find(model_.get(), "b", Seqs(20, 107)).events, nullptr);
  auto other = Model();  // another model's parse is its own
  EXPECT_EQ(cache.Find(other.get(), "a", Seqs(20, 107)).events, nullptr);
  auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.extended, 1u);
  EXPECT_EQ(stats.misses, 5u);
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_GE(stats.bytes, parsed->bytes());
  // A newer parse replaces the entry.
  auto newer = Parsed("a", 21);
  cache.Put(model_, "a", 21, 108, newer);
  EXPECT_EQ(Held(cache, "a", 21, 108), newer);
  EXPECT_EQ(Held(cache, "a", 20, 107), nullptr);
  EXPECT_EQ(cache.stats().entries, 1u);
}

// The newer events parsed on top of the first ones give what parsing them all gives.
TEST_F(ParsedEventCacheTest, NewerEventsParsedOnTopOfTheFirstOnes) {
  std::vector<std::string> all = Events("a", 20);
  all.insert(all.begin() + 5, R"({"lead_id":"a","type":"page_view","ts":"soon"})");
  all.push_back(R"({"lead_id":"a","type":"page_view"})");
  std::vector<std::string> first(all.begin(), all.begin() + 12), newer(all.begin() + 12, all.end());
  auto whole = scorer_.Parse("a", all);
  auto head = scorer_.Parse("a", first);
  auto joined = scorer_.Parse("a", newer, head.get());
  ASSERT_EQ(joined->events.size(), whole->events.size());
  for (size_t i = 0; i < whole->events.size(); ++i) {
    EXPECT_EQ(joined->events[i].ts, whole->events[i].ts);
    EXPECT_EQ(joined->properties[joined->events[i].values].str(),
              whole->properties[whole->events[i].values].str());
  }
  ASSERT_EQ(joined->errors.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(FormatRowError(joined->errors[i]), FormatRowError(whole->errors[i]));
  }
  EXPECT_EQ(joined->errors[1].line, 22u);
  LeadRecords lead{"a", "", {}, joined.get()};
  EXPECT_EQ(scorer_.Score(lead, AsOf{kMicrosPerSecond * 1800000000LL}, false).engagement, 60);
}

TEST_F(ParsedEventCacheTest, KeepsALeadOfOneEventButNoneOfNone) {
  ParsedEventCache cache(size_t{1} << 20);
  cache.Put(model_, "a", 1, 9, Parsed("a", 1));
  cache.Put(model_, "b", 0, 0, Parsed("b", 0));
  EXPECT_NE(Held(cache, "a", 1, 9), nullptr);
  EXPECT_EQ(cache.stats().entries, 1u);
}

TEST_F(ParsedEventCacheTest, DropsTheLeastRecentlyUsedOverBudget) {
  auto parsed = Parsed("a", 40);
  // Room for about three entries.
  ParsedEventCache cache(parsed->bytes() * 3 + parsed->bytes() / 2);
  for (const char* id : {"a", "b", "c"}) cache.Put(model_, id, 40, 1, Parsed(id, 40));
  ASSERT_EQ(cache.stats().entries, 3u);
  EXPECT_NE(Held(cache, "a", 40, 1), nullptr);  // a is now the most recent
  cache.Put(model_, "d", 40, 1, Parsed("d", 40));
  EXPECT_EQ(cache.stats().entries, 3u);
  EXPECT_EQ(Held(cache, "b", 40, 1), nullptr);  // the least recently used
  EXPECT_NE(Held(cache, "a", 40, 1), nullptr);
  EXPECT_NE(Held(cache, "c", 40, 1), nullptr);
  EXPECT_NE(Held(cache, "d", 40, 1), nullptr);
  EXPECT_LE(cache.stats().bytes, parsed->bytes() * 3 + parsed->bytes() / 2);
  ParsedEventCache none(0);
  none.Put(model_, "a", 40, 1, parsed);
  EXPECT_EQ(Held(none, "a", 40, 1), nullptr);
}

TEST_F(ParsedEventCacheTest, AKeptParseOwnsItsStrings) {
  ParsedEventCache cache(size_t{1} << 20);
  cache.Put(model_, "a", 20, 1, Parsed("a", 20));
  Parsed("b", 30);  // reuses the scorer's scratch space
  auto kept = Held(cache, "a", 20, 1);
  ASSERT_NE(kept, nullptr);
  ASSERT_EQ(kept->events.size(), 20u);
  EXPECT_EQ(kept->properties[kept->events[7].values].str(), "/pricing/7");
  LeadRecords lead{"a", "", {}, kept.get()};
  EXPECT_EQ(scorer_.Score(lead, AsOf{kMicrosPerSecond * 1800000000LL}, false).engagement, 60);
}

}  // namespace
}  // namespace leadscore::service
