#include "service/batch_score.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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

}  // namespace
}  // namespace leadscore::service
