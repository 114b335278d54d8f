// Tests for Generate: determinism, file shapes, realism targets, and errors.
#include "synth/generator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/time.h"

namespace leadscore::synth {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Splits one CSV record (no embedded newlines in generated data) per RFC 4180.
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// Unique per process: ctest runs each test in its own process, several at once.
std::string TempDir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() /
                       ("leadscore_synth_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir.string();
}

Result<GenerateSummary> GenerateInto(const std::string& dir, uint64_t leads, int months,
                                     uint64_t seed, EventsFormat format = EventsFormat::kJsonl) {
  GenerateOptions options;
  options.out_dir = dir;
  options.leads = leads;
  options.months = months;
  options.seed = seed;
  options.events_format = format;
  return Generate(options);
}

// One default-sized data set shared by the read-only tests.
class GeneratedDefault : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempDir("default"));
    GenerateOptions options;
    options.out_dir = *dir_;
    auto summary = Generate(options);
    ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
    summary_ = new GenerateSummary(*summary);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete summary_;
  }
  static std::string* dir_;
  static GenerateSummary* summary_;
};
std::string* GeneratedDefault::dir_ = nullptr;
GenerateSummary* GeneratedDefault::summary_ = nullptr;

TEST(Generate, SameSeedGivesIdenticalBytes) {
  const std::string a = TempDir("same_a"), b = TempDir("same_b");
  ASSERT_TRUE(GenerateInto(a, 300, 3, 7).has_value());
  ASSERT_TRUE(GenerateInto(b, 300, 3, 7).has_value());
  for (const char* file : {"leads.csv", "events.jsonl", "outcomes.csv"}) {
    const std::string bytes = ReadAll(a + "/" + file);
    EXPECT_FALSE(bytes.empty()) << file;
    EXPECT_EQ(bytes, ReadAll(b + "/" + file)) << file;
  }
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(Generate, DifferentSeedGivesDifferentBytes) {
  const std::string a = TempDir("seed_a"), b = TempDir("seed_b");
  ASSERT_TRUE(GenerateInto(a, 300, 3, 7).has_value());
  ASSERT_TRUE(GenerateInto(b, 300, 3, 8).has_value());
  EXPECT_NE(ReadAll(a + "/leads.csv"), ReadAll(b + "/leads.csv"));
  EXPECT_NE(ReadAll(a + "/events.jsonl"), ReadAll(b + "/events.jsonl"));
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(Generate, LeadIsTheSameWhateverTheLeadCount) {
  const std::string a = TempDir("prefix_a"), b = TempDir("prefix_b");
  ASSERT_TRUE(GenerateInto(a, 100, 2, 5).has_value());
  ASSERT_TRUE(GenerateInto(b, 200, 2, 5).has_value());
  const auto small = Lines(a + "/leads.csv"), large = Lines(b + "/leads.csv");
  ASSERT_EQ(small.size(), 101u);
  for (size_t i = 0; i < small.size(); ++i) EXPECT_EQ(small[i], large[i]);
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST_F(GeneratedDefault, LeadsHaveHeaderRowsAndColumns) {
  const auto lines = Lines(*dir_ + "/leads.csv");
  ASSERT_EQ(lines.size(), 2001u);
  EXPECT_EQ(lines[0],
            "lead_id,email,company,company_size,industry,country,job_title,budget,created_at");
  EXPECT_EQ(lines[1].substr(0, 9), "L0000001,");
  std::set<std::string> ids;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto cells = SplitCsv(lines[i]);
    ASSERT_EQ(cells.size(), 9u) << lines[i];
    EXPECT_TRUE(ids.insert(cells[0]).second) << cells[0];
    EXPECT_TRUE(ParseTimestamp(cells[8]).has_value()) << cells[8];
  }
}

TEST_F(GeneratedDefault, LeadsAreMessyLikeRealExports) {
  const auto lines = Lines(*dir_ + "/leads.csv");
  int free_mail = 0, empty_cells = 0, quoted = 0, empty_budget = 0;
  const std::set<std::string> free = {"gmail.com", "yahoo.com", "hotmail.com", "outlook.com",
                                      "orange.fr"};
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto cells = SplitCsv(lines[i]);
    const auto at = cells[1].rfind('@');
    std::string domain = at == std::string::npos ? "" : cells[1].substr(at + 1);
    for (char& c : domain) c = static_cast<char>(std::tolower(c));
    free_mail += free.count(domain) > 0;
    for (const auto& cell : cells) empty_cells += cell.empty();
    quoted += lines[i].find('"') != std::string::npos;
    empty_budget += cells[7].empty();
  }
  EXPECT_GT(free_mail, 2000 * 15 / 100);
  EXPECT_LT(free_mail, 2000 * 35 / 100);
  EXPECT_GT(empty_cells, 500);
  EXPECT_GT(quoted, 5);
  EXPECT_GT(empty_budget, 500);
}

TEST_F(GeneratedDefault, EventsParseAreOrderedAndCoverEveryType) {
  const auto lines = Lines(*dir_ + "/events.jsonl");
  ASSERT_EQ(lines.size(), summary_->events + summary_->duplicate_events);
  const Timestamp start = *ParseTimestamp("2025-01-01T00:00:00Z");
  const Timestamp end = *ParseTimestamp("2026-01-01T00:00:00Z");
  Timestamp previous = start;
  std::map<std::string, int> types;
  std::map<std::string, int> ids;
  std::set<std::string> leads_in_events;
  for (const std::string& line : lines) {
    const auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(json.is_object()) << line;
    const auto ts = ParseTimestamp(json.at("ts").get<std::string>());
    ASSERT_TRUE(ts.has_value()) << line;
    EXPECT_GE(*ts, previous) << line;
    EXPECT_LT(*ts, end) << line;
    previous = *ts;
    ++types[json.at("type").get<std::string>()];
    ++ids[json.at("event_id").get<std::string>()];
    EXPECT_EQ(json.at("lead_id").get<std::string>().substr(0, 1), "L");
    leads_in_events.insert(json.at("lead_id").get<std::string>());
  }
  // The summary's "lead ids only in events" are those of the events file without a row.
  std::set<std::string> rows;
  const auto lead_lines = Lines(*dir_ + "/leads.csv");
  for (size_t i = 1; i < lead_lines.size(); ++i) {
    rows.insert(lead_lines[i].substr(0, lead_lines[i].find(',')));
  }
  size_t only_in_events = 0;
  for (const std::string& id : leads_in_events) only_in_events += rows.count(id) == 0;
  EXPECT_EQ(only_in_events, summary_->event_only_leads);
  EXPECT_GT(only_in_events, 0u);
  for (const char* type : {"page_view", "email_open", "email_click", "download", "webinar_attended",
                           "demo_booked", "quote_request", "unsubscribe"}) {
    EXPECT_GT(types[type], 0) << type;
  }
  EXPECT_GT(types["page_view"] * 10, static_cast<int>(lines.size()) * 6);  // large majority
  int duplicated = 0;
  for (const auto& [id, count] : ids) duplicated += count - 1;
  EXPECT_EQ(static_cast<uint64_t>(duplicated), summary_->duplicate_events);
  EXPECT_EQ(ids.size(), summary_->events);
}

TEST_F(GeneratedDefault, VolumeIsAboutThirtyEventsPerLead) {
  const double per_lead = static_cast<double>(summary_->events) / 2000;
  EXPECT_GT(per_lead, 22);
  EXPECT_LT(per_lead, 40);
  const double bytes_per_event =
      static_cast<double>(summary_->events_bytes) / (summary_->events + summary_->duplicate_events);
  EXPECT_GT(bytes_per_event, 100);
  EXPECT_LT(bytes_per_event, 135);
}

TEST_F(GeneratedDefault, ConvertersBehaveDifferently) {
  const auto outcomes = Lines(*dir_ + "/outcomes.csv");
  ASSERT_FALSE(outcomes.empty());
  EXPECT_EQ(outcomes[0], "lead_id,outcome,ts,value");
  std::set<std::string> converters;
  int won = 0;
  for (size_t i = 1; i < outcomes.size(); ++i) {
    const auto cells = SplitCsv(outcomes[i]);
    ASSERT_EQ(cells.size(), 4u);
    if (cells[1] == "sql") converters.insert(cells[0]);
    if (cells[1] == "won") {
      ++won;
      EXPECT_FALSE(cells[3].empty());
    }
  }
  EXPECT_EQ(converters.size(), summary_->converters);
  EXPECT_GE(converters.size(), 2000u * 7 / 100);
  EXPECT_LE(converters.size(), 2000u * 13 / 100);
  EXPECT_GT(won, 0);

  std::map<std::string, int> quotes, pricing;
  for (const std::string& line : Lines(*dir_ + "/events.jsonl")) {
    const auto json = nlohmann::json::parse(line);
    const std::string lead = json["lead_id"];
    if (json["type"] == "quote_request") ++quotes[lead];
    if (json["type"] == "page_view" && json["url"] == "/pricing") ++pricing[lead];
  }
  auto mean = [&](const std::map<std::string, int>& counts, bool of_converters) {
    double sum = 0;
    for (const auto& [lead, n] : counts) sum += converters.count(lead) == of_converters ? n : 0;
    return sum / (of_converters ? converters.size() : 2000 - converters.size());
  };
  EXPECT_GT(mean(quotes, true), 5 * mean(quotes, false));
  EXPECT_GT(mean(pricing, true), 2 * mean(pricing, false));
}

TEST(Generate, WritesCsvEventsWhenAsked) {
  const std::string dir = TempDir("csv");
  auto summary = GenerateInto(dir, 200, 2, 3, EventsFormat::kCsv);
  ASSERT_TRUE(summary.has_value());
  EXPECT_FALSE(fs::exists(dir + "/events.jsonl"));
  const auto lines = Lines(dir + "/events.csv");
  ASSERT_EQ(lines.size(), summary->events + summary->duplicate_events + 1);
  EXPECT_EQ(lines[0], "event_id,lead_id,type,ts,url,campaign,asset");
  for (size_t i = 1; i < lines.size(); ++i) ASSERT_EQ(SplitCsv(lines[i]).size(), 7u) << lines[i];
  fs::remove_all(dir);
}

TEST(Generate, HonoursAsOfAndMonths) {
  const std::string dir = TempDir("asof");
  GenerateOptions options;
  options.out_dir = dir;
  options.leads = 200;
  options.months = 1;
  options.as_of = *ParseTimestamp("2024-03-31T12:00:00Z");
  auto summary = Generate(options);
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->window_start, *ParseTimestamp("2024-02-29T12:00:00Z"));
  for (const std::string& line : Lines(dir + "/events.jsonl")) {
    const auto ts = *ParseTimestamp(nlohmann::json::parse(line)["ts"].get<std::string>());
    ASSERT_GE(ts, summary->window_start);
    ASSERT_LT(ts, options.as_of);
  }
  fs::remove_all(dir);
}

TEST(Generate, RejectsBadOptionsAndUnwritableDirectories) {
  GenerateOptions options;
  options.out_dir = TempDir("bad");
  options.leads = 0;
  auto bad_leads = Generate(options);
  ASSERT_FALSE(bad_leads.has_value());
  EXPECT_EQ(bad_leads.error().code(), StatusCode::kInvalidArgument);

  options.leads = 10;
  options.months = 0;
  EXPECT_FALSE(Generate(options).has_value());

  const std::string file = TempDir("a_file");
  std::ofstream(file) << "x";
  options.months = 1;
  options.out_dir = file + "/sub";
  auto under_file = Generate(options);
  ASSERT_FALSE(under_file.has_value());
  EXPECT_NE(under_file.error().message().find(file), std::string::npos);
  options.out_dir = file;
  EXPECT_FALSE(Generate(options).has_value());
  fs::remove(file);
}

}  // namespace
}  // namespace leadscore::synth
