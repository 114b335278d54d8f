// ScoreRankings lists what Store::ListScores lists, on both backends: the store (with its
// SQL filters and ORDER BY) is the reference for every filter, cursor and limit.
#include "service/score_rankings.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

#include "testutil/store_backend_test.h"

namespace leadscore::service {
namespace {

using store::ScoreFilter;
using store::ScoreRow;

std::string Show(const std::vector<ScoreRow>& rows) {
  std::string out;
  for (const ScoreRow& r : rows) {
    out += fmt::format("{}/{} {} {} {} v{} {} {} t{}\n", r.model, r.lead_id, r.score, r.fit,
                       r.engagement, r.model_version, r.grade.value_or("-"), r.stage.value_or("-"),
                       r.scored_at);
  }
  return out;
}

std::string Show(const ScoreFilter& f) {
  return fmt::format(
      "model={} stage={} grade={} min={} max={} attribute={}={} after={}/{} limit={}", f.model,
      f.stage.value_or("*"), f.grade.value_or("*"),
      f.min_score ? fmt::format("{}", *f.min_score) : "*",
      f.max_score ? fmt::format("{}", *f.max_score) : "*", f.attribute ? f.attribute->first : "*",
      f.attribute ? f.attribute->second : "*", f.after ? fmt::format("{}", f.after->first) : "*",
      f.after ? f.after->second : "*", f.limit);
}

class ScoreRankingsTest : public testutil::StoreBackendTest {
 protected:
  // Scores with many ties, ids that are prefixes of others, grades and stages sometimes none.
  ScoreRow RandomScore(const std::string& model, const std::string& lead_id) {
    static const double kScores[] = {0, 12.5, 30, 30, 47.25, 65, 65, 65, 88.01, 100};
    static const char* kGrades[] = {"A", "B", "C", nullptr};
    static const char* kStages[] = {"MQL", "hot", nullptr, nullptr};
    auto pick = [&](const char* const* names) -> std::optional<std::string> {
      const char* name = names[rng_() % 4];
      return name ? std::optional<std::string>(name) : std::nullopt;
    };
    return ScoreRow{model,
                    lead_id,
                    static_cast<int64_t>(1 + rng_() % 3),
                    kScores[rng_() % 10],
                    static_cast<double>(rng_() % 50),
                    static_cast<double>(rng_() % 70) / 4,
                    pick(kGrades),
                    pick(kStages),
                    static_cast<Timestamp>(rng_() % 1000000)};
  }

  ScoreFilter RandomFilter(const std::vector<ScoreRow>& rows) {
    ScoreFilter f;
    f.model = rng_() % 5 == 0 ? "other" : "main";
    static const char* kStages[] = {"MQL", "hot", "nope"};
    static const char* kGrades[] = {"A", "B", "Z"};
    if (rng_() % 3 == 0) f.stage = kStages[rng_() % 3];
    if (rng_() % 3 == 0) f.grade = kGrades[rng_() % 3];
    if (rng_() % 3 == 0) f.min_score = rows[rng_() % rows.size()].score;
    if (rng_() % 4 == 0) f.max_score = rows[rng_() % rows.size()].score + (rng_() % 2 ? 0 : 1);
    static const std::pair<const char*, const char*> kAttributes[] = {
        {"plan", "pro"}, {"trial", "true"}, {"plan", "nope"}, {"seats", "12"}};
    if (rng_() % 4 == 0) f.attribute = kAttributes[rng_() % 4];
    if (rng_() % 2 == 0) {
      const ScoreRow& r = rows[rng_() % rows.size()];
      // A position that is a lead's, or one between leads.
      f.after =
          rng_() % 2 ? std::pair{r.score, r.lead_id} : std::pair{r.score + 0.5, r.lead_id + "5"};
    }
    static const int64_t kLimits[] = {1, 7, 50, 1000};
    f.limit = kLimits[rng_() % 4];
    return f;
  }

  // The ranking and the store give the same page for `filter`.
  void ExpectSamePage(const ScoreFilter& filter) {
    auto check = [&](std::span<const std::string> ids) {
      return store_->LeadsWithAttribute(ids, filter.attribute->first, filter.attribute->second);
    };
    auto ranked = rankings_.List(filter, check);
    ASSERT_TRUE(ranked) << ranked.error().ToString();
    ASSERT_TRUE(ranked->has_value()) << Show(filter);
    auto stored = store_->ListScores(filter);
    ASSERT_TRUE(stored) << stored.error().ToString();
    EXPECT_EQ(Show(**ranked), Show(*stored)) << Show(filter);
  }

  std::mt19937 rng_{20261203};
  // A few entries a lock at a time: every list resumes from where it stopped, many times.
  ScoreRankings rankings_{3};
};

TEST_P(ScoreRankingsTest, ListsWhatTheStoreLists) {
  std::vector<ScoreRow> rows, other;
  for (int i = 0; i < 400; ++i) {
    std::string id = "l" + std::to_string(i * 7 % 400);  // l1, l10, l100 ...
    static const char* kPlans[] = {"free", "pro", "team"};
    std::string attributes =
        fmt::format(R"({{"plan":"{}","trial":{},"seats":{}}})", kPlans[rng_() % 3],
                    rng_() % 2 ? "true" : "false", rng_() % 3 == 0 ? 12 : 3);
    ASSERT_TRUE(store_->PutLead({id, attributes, 1, 1}).ok());
    rows.push_back(RandomScore("main", id));
    if (i % 3 == 0) other.push_back(RandomScore("other", id));
  }
  ASSERT_TRUE(store_->PutScores(rows).ok());
  ASSERT_TRUE(store_->PutScores(other).ok());
  rankings_.Load("main", rows);
  rankings_.Load("other", other);
  EXPECT_EQ(rankings_.size("main"), 400u);
  EXPECT_EQ(rankings_.size("other"), 134u);

  for (int i = 0; i < 300; ++i) ExpectSamePage(RandomFilter(rows));
  ExpectSamePage({.model = "main", .limit = 1000});
  ExpectSamePage({.model = "main", .attribute = std::pair{"plan", "pro"}, .limit = 1000});

  // Pages of 7 under a filter, each starting after the last row of the one before.
  ScoreFilter page{.model = "main", .stage = "MQL", .min_score = 30, .limit = 7};
  size_t listed = 0;
  for (int n = 0; n < 100; ++n) {
    ExpectSamePage(page);
    auto rows_of_page = **rankings_.List(page, nullptr);
    listed += rows_of_page.size();
    if (rows_of_page.size() < 7) break;
    page.after = std::pair{rows_of_page.back().score, rows_of_page.back().lead_id};
  }
  EXPECT_GT(listed, 20u);

  // Scores change: the ranking takes what the store committed.
  for (int round = 0; round < 5; ++round) {
    std::vector<ScoreRow> changed;
    for (int i = 0; i < 60; ++i) {
      changed.push_back(RandomScore("main", rows[rng_() % rows.size()].lead_id));
      if (std::any_of(changed.begin(), changed.end() - 1,
                      [&](const ScoreRow& r) { return r.lead_id == changed.back().lead_id; })) {
        changed.pop_back();  // one row a lead per write, as the rescorer writes
      }
    }
    ASSERT_TRUE(store_->PutScores(changed).ok());
    rankings_.Update(changed);
    for (int i = 0; i < 60; ++i) ExpectSamePage(RandomFilter(rows));
  }
}

TEST_P(ScoreRankingsTest, ADeletedLeadStaysOutUntilTheDeletionIsReleased) {
  std::vector<ScoreRow> rows;
  for (int i = 0; i < 20; ++i) {
    std::string id = "d" + std::to_string(i);
    ASSERT_TRUE(store_->PutLead({id, "{}", 1, 1}).ok());
    rows.push_back(RandomScore("main", id));
  }
  ASSERT_TRUE(store_->PutScores(rows).ok());
  rankings_.Load("main", rows);
  const ScoreFilter all{.model = "main", .limit = 100};

  auto deleted = store_->DeleteLeadRows("d3", {});
  ASSERT_TRUE(deleted && *deleted);
  const std::vector<std::string> gone{"d3"};
  rankings_.Forget(gone);
  ExpectSamePage(all);
  // A score computed before the deletion and applied after it, or a load read before it,
  // does not bring the lead back.
  rankings_.Update(std::span(&rows[3], 1));
  ExpectSamePage(all);
  rankings_.Load("main", rows);
  ExpectSamePage(all);
  EXPECT_EQ(rankings_.size("main"), 19u);

  // Once released, the lead created again is ranked again.
  rankings_.Release(gone);
  ASSERT_TRUE(store_->PutLead({"d3", "{}", 2, 2}).ok());
  ScoreRow again = RandomScore("main", "d3");
  ASSERT_TRUE(store_->PutScore(again).ok());
  rankings_.Update(std::span(&again, 1));
  ExpectSamePage(all);
  EXPECT_EQ(rankings_.size("main"), 20u);
}

// A lead deleted twice stays out until both deletions are released: the first release does
// not let in a score read before the second deletion.
TEST_P(ScoreRankingsTest, ALeadDeletedTwiceStaysOutUntilBothDeletionsAreReleased) {
  std::vector<ScoreRow> rows;
  for (int i = 0; i < 5; ++i) {
    std::string id = "t" + std::to_string(i);
    ASSERT_TRUE(store_->PutLead({id, "{}", 1, 1}).ok());
    rows.push_back(RandomScore("main", id));
  }
  ASSERT_TRUE(store_->PutScores(rows).ok());
  rankings_.Load("main", rows);
  const ScoreFilter all{.model = "main", .limit = 100};
  const std::vector<std::string> gone{"t2"};
  ASSERT_TRUE(store_->DeleteLeadRows("t2", {}).has_value());
  rankings_.Forget(gone);
  rankings_.Forget(gone);  // deleted again, once created again in between
  rankings_.Release(gone);
  rankings_.Update(std::span(&rows[2], 1));  // read before the second deletion
  ExpectSamePage(all);
  EXPECT_EQ(rankings_.size("main"), 4u);
  rankings_.Release(gone);
  ASSERT_TRUE(store_->PutLead({"t2", "{}", 2, 2}).ok());
  ASSERT_TRUE(store_->PutScore(rows[2]).ok());
  rankings_.Update(std::span(&rows[2], 1));
  ExpectSamePage(all);
  EXPECT_EQ(rankings_.size("main"), 5u);
}

TEST(ScoreRankings, AModelWithoutARankingIsLeftToTheStore) {
  ScoreRankings rankings;
  EXPECT_FALSE(rankings.List({.model = "main"}, nullptr)->has_value());
  std::vector<ScoreRow> rows{{"main", "a", 1, 10, 0, 10, std::nullopt, "MQL", 5}};
  rankings.Update(rows);  // no ranking loaded: nothing to update
  EXPECT_FALSE(rankings.has("main"));
  rankings.Load("main", rows);
  auto listed = rankings.List({.model = "main"}, nullptr);
  ASSERT_TRUE(listed->has_value());
  EXPECT_EQ((*listed)->size(), 1u);
  // A stage no lead has: an empty page, not the store's turn.
  EXPECT_TRUE(rankings.List({.model = "main", .stage = "SQL"}, nullptr)->value().empty());
  rankings.Retain({"another"});
  EXPECT_FALSE(rankings.List({.model = "main"}, nullptr)->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, ScoreRankingsTest,
                         ::testing::ValuesIn(testutil::StoreBackends()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace leadscore::service
