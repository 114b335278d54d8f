#include "service/batch_score.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/compiled_model.h"
#include "engine/rounding.h"

namespace leadscore::service {
namespace {

std::shared_ptr<const engine::CompiledModel> Model() {
  auto m = engine::CompileModelText(R"(
fit:
  rules:
    - {id: it, when: 'industry == "IT"', points: 10}
engagement:
  decay: {half_life: 7d}
  rules:
    - {id: pv, event: page_view, points: 3, max: 40}
    - {id: pricing, event: page_view, when: 'contains(url, "/pricing") and lead.industry == "IT"', points: 9}
    - {id: burst, event: page_view, count: 3, within: 2d, points: 5}
)",
                                    "m.yaml");
  EXPECT_TRUE(m);
  return *m;
}

// Writes leads and events where blocks of a few hundred bytes cut the file in many places.
std::string WriteInputs(const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::ofstream leads(dir + "/leads.csv");
  leads << "lead_id,industry\n";
  for (int i = 0; i < 50; ++i) leads << "L" << i << "," << (i % 3 ? "IT" : "Retail") << "\n";
  std::ofstream events(dir + "/events.jsonl");
  for (int i = 0; i < 2000; ++i) {
    events << R"({"event_id":"e)" << (i % 1900) << R"(","lead_id":"L)" << (i * 7 % 61)
           << R"(","type":"page_view","ts":)" << 1704067200 + i * 3000 << R"(,"url":")"
           << (i % 4 ? "/blog" : "/pricing") << "\"}\n";
  }
  return dir;
}

std::string Render(const Batch& batch, const Ranking& ranking) {
  std::string out;
  for (uint32_t row : ranking.order) {
    out += std::string(batch.leads.id(row)) + " " + engine::FormatScore(ranking.scores[row].score) +
           "\n";
  }
  return out;
}

TEST(BatchScore, SameResultForAnyThreadCountAndBlockSize) {
  std::string dir = WriteInputs(testing::TempDir() + "/batch_threads");
  std::string reference;
  for (int threads : {1, 2, 3}) {
    for (size_t block : {size_t{200}, size_t{4096}, size_t{4} << 20}) {
      BatchOptions options;
      options.leads_path = dir + "/leads.csv";
      options.events_path = dir + "/events.jsonl";
      options.as_of = AsOf{(1704067200LL + 2000 * 3000) * kMicrosPerSecond};
      options.threads = threads;
      options.block_bytes = block;
      auto batch = LoadBatch(Model(), options);
      ASSERT_TRUE(batch) << batch.error().ToString();
      EXPECT_EQ((*batch)->event_stats.rows_read, 2000u);
      EXPECT_EQ((*batch)->event_stats.duplicates, 100u);
      std::string rendered = Render(**batch, RankLeads(**batch, threads));
      if (reference.empty()) reference = rendered;
      EXPECT_EQ(rendered, reference) << "threads " << threads << ", block " << block;
    }
  }
  EXPECT_NE(reference.find("L60 "), std::string::npos);  // known only from events
}

// A batch that keeps each lead's fit rather than its attributes scores every lead as one that
// keeps them, leads known only from events (the fit of no attributes) included; a model whose
// stages read an attribute keeps them whatever the option says.
TEST(BatchScore, KeepingFitsRatherThanAttributesScoresTheSame) {
  const std::string dir = WriteInputs(testing::TempDir() + "/batch_fit_only");
  auto compile = [](const std::string& stage) {
    auto m = engine::CompileModelText(R"(
fit:
  max: 25
  groups: {firmo: {max: 12}}
  rules:
    - {id: it, when: 'industry == "IT"', points: 10, group: firmo}
    - {id: it_again, when: 'lower(industry) == "it"', points: 5, group: firmo}
    - {id: unknown, when: 'not exists(industry)', points: 7}
    - {id: retail, when: 'industry == "Retail"', points: -4}
engagement:
  decay: {half_life: 7d}
  rules:
    - {id: pv, event: page_view, points: 3, max: 40}
    - {id: burst, event: page_view, count: 3, within: 2d, points: 5}
grades:
  - {id: A, when: fit >= 12}
  - {id: B, when: "true"}
stages:
  - {id: MQL, when: )" + stage + R"(}
)",
                                      "m.yaml");
    EXPECT_TRUE(m) << (m ? "" : m.error().front().message);
    return *m;
  };
  auto render = [&](std::shared_ptr<const engine::CompiledModel> model, bool keep,
                    bool expect_fit_only) {
    BatchOptions options;
    options.leads_path = dir + "/leads.csv";
    options.events_path = dir + "/events.jsonl";
    options.as_of = AsOf{(1704067200LL + 2000 * 3000) * kMicrosPerSecond};
    options.keep_attributes = keep;
    auto batch = LoadBatch(model, options);
    EXPECT_TRUE(batch) << batch.error().ToString();
    EXPECT_EQ((*batch)->fit_only(), expect_fit_only);
    const Ranking ranking = RankLeads(**batch, 2);
    std::string out;
    for (uint32_t row : ranking.order) {
      const RankedScore& s = ranking.scores[row];
      out += std::string((*batch)->leads.id(row)) + " " + engine::FormatScore(s.score) + " " +
             engine::FormatScore(s.fit) + " " + engine::FormatScore(s.engagement) + " " +
             std::to_string(s.grade) + " " + std::to_string(s.stage) + "\n";
    }
    return out;
  };
  const auto by_score = compile("'score >= 20'");
  const std::string kept = render(by_score, true, false);
  EXPECT_EQ(render(by_score, false, true), kept);
  EXPECT_NE(kept.find("L60 "), std::string::npos);  // known only from events
  // An IT lead's fit, capped by its group; a lead known only from events has the fit of none.
  EXPECT_NE(kept.find(" 12.00 "), std::string::npos);
  EXPECT_NE(kept.find(" 7.00 "), std::string::npos);
  const auto by_attribute = compile("'lead.industry == \"IT\" and score >= 20'");
  const std::string kept_too = render(by_attribute, true, false);
  EXPECT_EQ(render(by_attribute, false, false), kept_too);
}

// Zero-padded numbered lead ids are looked up by number (NumberedLeadIndex): every other
// spelling of a number is another lead, known only from events.
TEST(BatchScore, EachSpellingOfANumberedLeadIdIsItsOwnLead) {
  const std::string dir = testing::TempDir() + "/batch_numbered_ids";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/leads.csv") << [] {
    std::string leads = "lead_id,industry\n";
    for (int i = 1; i <= 300; ++i) leads += fmt::format("L{:04},IT\n", i);
    return leads + "Lfree,IT\n";
  }();
  // Lead id: page views (3 points each, no decay).
  const std::vector<std::pair<std::string, int>> views = {{"L0005", 1}, {"L5", 2},    {"L00005", 3},
                                                          {"L0301", 4}, {"L0000", 5}, {"Lfree", 6},
                                                          {"L0300", 7}, {"l0005", 8}, {"L000x", 9}};
  std::ofstream events(dir + "/events.jsonl");
  for (const auto& [lead, n] : views) {
    for (int k = 0; k < n; ++k) {
      events << R"({"lead_id":")" << lead << R"(","type":"page_view","ts":1704067200})"
             << "\n";
    }
  }
  events.close();
  auto model = engine::CompileModelText(R"(
fit:
  rules:
    - {id: it, when: 'industry == "IT"', points: 10}
engagement:
  rules:
    - {id: pv, event: page_view, points: 3}
)",
                                        "m.yaml");
  ASSERT_TRUE(model);
  BatchOptions options;
  options.leads_path = dir + "/leads.csv";
  options.events_path = dir + "/events.jsonl";
  options.as_of = AsOf{1704067200LL * kMicrosPerSecond};
  auto batch = LoadBatch(*model, options);
  ASSERT_TRUE(batch) << batch.error().ToString();
  const Ranking ranking = RankLeads(**batch, 2);
  std::map<std::string, std::string> scores;
  for (uint32_t row : ranking.order) {
    scores[std::string((*batch)->leads.id(row))] = engine::FormatScore(ranking.scores[row].score);
  }
  EXPECT_EQ(scores.size(), 301u + 6u);  // the file's leads, and six known only from events
  for (const auto& [lead, n] : views) {
    const bool in_file = lead == "L0005" || lead == "Lfree" || lead == "L0300";
    EXPECT_EQ(scores[lead], engine::FormatScore((in_file ? 10 : 0) + 3 * n)) << lead;
  }
  EXPECT_EQ(scores["L0001"], "10.00");
}

// Enough leads for the ranking to sort in two halves and merge them: many ties on the score,
// ids that share their first 8 bytes, so the order must fall back to the whole id.
TEST(BatchScore, RankingOfManyTiedLeadsIsScoreThenId) {
  const std::string dir = testing::TempDir() + "/batch_rank";
  std::filesystem::create_directories(dir);
  std::vector<std::pair<double, std::string>> expected;
  {
    std::ofstream leads(dir + "/leads.csv");
    leads << "lead_id,industry\n";
    for (int i = 0; i < 20000; ++i) {
      const std::string id = (i % 2 ? "LEADPREFIX-" : "L") + std::to_string(i * 7919 % 20011);
      const bool it = i % 3 == 0;
      leads << id << "," << (it ? "IT" : "Retail") << "\n";
      expected.emplace_back(it ? 10 : 0, id);
    }
  }
  std::sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (int threads : {1, 2}) {
    BatchOptions options;
    options.leads_path = dir + "/leads.csv";
    options.as_of = AsOf{1704067200LL * kMicrosPerSecond};
    options.threads = threads;
    auto batch = LoadBatch(Model(), options);
    ASSERT_TRUE(batch) << batch.error().ToString();
    const Ranking ranking = RankLeads(**batch, threads);
    ASSERT_EQ(ranking.order.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      const uint32_t row = ranking.order[i];
      ASSERT_EQ((*batch)->leads.id(row), expected[i].second)
          << "threads " << threads << ", rank " << i;
      ASSERT_EQ(ranking.scores[row].score, expected[i].first);
    }
  }
}

}  // namespace
}  // namespace leadscore::service
