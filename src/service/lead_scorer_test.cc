#include "service/lead_scorer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/compiled_model.h"
#include "engine/rounding.h"
#include "engine/scorer.h"
#include "ingest/convert.h"
#include "service/batch_score.h"
#include "service/lead_histories.h"
#include "synth/generator.h"

namespace leadscore::service {
namespace {

using engine::Round2;

// A directory of its own for one test, removed at the end.
struct ScratchDir {
  explicit ScratchDir(const std::string& name)
      : path(testing::TempDir() + "/lead_scorer_" + name + "_" + std::to_string(getpid())) {}
  ~ScratchDir() { std::filesystem::remove_all(path); }
  std::string path;
};

Timestamp Time(std::string_view text) {
  auto t = ParseTimestamp(text);
  EXPECT_TRUE(t) << text;
  return t.value_or(0);
}

std::shared_ptr<const engine::CompiledModel> ModelFromText(std::string_view yaml) {
  auto m = engine::CompileModelText(yaml, "model.yaml");
  EXPECT_TRUE(m) << (m ? "" : m.error().front().message);
  return m ? *m : nullptr;
}

std::shared_ptr<const engine::CompiledModel> SaasModel() {
  auto m = engine::LoadModel(std::string(LEADSCORE_SOURCE_DIR) + "/examples/saas/model.yaml");
  EXPECT_TRUE(m);
  return m ? *m : nullptr;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The lead_id of an event line as the test data writes it, or "" (a line to be skipped).
std::string LeadIdOf(const std::string& line) {
  size_t at = line.find("\"lead_id\":\"");
  if (at == std::string::npos) return "";
  at += 11;
  return line.substr(at, line.find('"', at) - at);
}

// A lead file and an events file, and the same records as the live service stores them.
struct Records {
  std::string leads_path, events_path;
  std::map<std::string, std::string> attributes;           // lead_id -> JSON object
  std::map<std::string, std::vector<std::string>> events;  // lead_id -> lines, in file order

  LeadRecords Of(const std::string& id) const {
    auto a = attributes.find(id);
    auto e = events.find(id);
    static const std::vector<std::string> kNone;
    return {id, a == attributes.end() ? std::string_view() : std::string_view(a->second),
            e == events.end() ? kNone : e->second};
  }
};

// Writes `leads` (JSON objects with a string lead_id) and `events` as JSON Lines into `dir`.
Records WriteRecords(const std::string& dir, const std::vector<std::string>& leads,
                     const std::vector<std::string>& events) {
  std::filesystem::create_directories(dir);
  Records r{dir + "/leads.jsonl", dir + "/events.jsonl", {}, {}};
  std::ofstream l(r.leads_path), e(r.events_path);
  for (const auto& line : leads) {
    l << line << "\n";
    r.attributes[LeadIdOf(line)] = line;
  }
  for (const auto& line : events) {
    e << line << "\n";
    std::string id = LeadIdOf(line);
    if (!id.empty()) r.events[id].push_back(line);
  }
  return r;
}

// The generator's data set with leads.csv rewritten as JSON Lines (cells typed as the CSV
// reader infers them, empty cells left out).
Records GeneratedRecords(const std::string& dir, uint64_t leads, int months, uint64_t seed) {
  synth::GenerateOptions options;
  options.out_dir = dir;
  options.leads = leads;
  options.months = months;
  options.seed = seed;
  auto summary = synth::Generate(options);
  EXPECT_TRUE(summary) << summary.error().ToString();
  std::vector<std::string> lead_lines, event_lines;
  struct Sink : ingest::RowSink {
    std::vector<std::string> header;
    std::vector<std::string>* out;
    void OnRow(uint64_t, std::span<const Value> values) override {
      std::string line = "{";
      for (size_t i = 0; i < values.size(); ++i) {
        if (values[i].is_null()) continue;
        Value v = ingest::InferCsvCell(values[i].str());
        if (line.size() > 1) line += ',';
        line += JsonString(header[i]);
        line += ':';
        line += v.is_number() ? FormatNumber(v.number()) : JsonString(v.str());
      }
      out->push_back(line + "}");
    }
    void OnError(ingest::RowError error) override { ADD_FAILURE() << error.message; }
  } sink;
  auto source = ingest::RecordSource::Open(dir + "/leads.csv");
  EXPECT_TRUE(source);
  sink.header = (*source)->header();
  sink.out = &lead_lines;
  auto parser = ingest::BlockParser::Create(**source, sink.header);
  while (true) {
    auto block = (*source)->Next();
    EXPECT_TRUE(block);
    if (!block || !*block) break;
    parser->Parse(**block, sink);
  }
  std::ifstream events(dir + "/events.jsonl");
  for (std::string line; std::getline(events, line);) event_lines.push_back(line);
  return WriteRecords(dir + "/jsonl", lead_lines, event_lines);
}

// Scores every lead of `records` with `leadscore score`'s code (LoadBatch + RankLeads) and
// with LeadScorer, and expects the same rounded figures, grade, stage and reasons. Returns the
// number of leads compared.
size_t ExpectSameAsBatch(std::shared_ptr<const engine::CompiledModel> model, const Records& records,
                         AsOf as_of) {
  BatchOptions options;
  options.leads_path = records.leads_path;
  options.events_path = records.events_path;
  options.as_of = as_of;
  auto loaded = LoadBatch(model, options);
  EXPECT_TRUE(loaded) << loaded.error().ToString();
  if (!loaded) return 0;
  const Batch& batch = **loaded;
  Ranking ranking = RankLeads(batch, 1);
  LeadScorer scorer(model);
  engine::Scorer batch_scorer(*model);
  for (uint32_t row = 0; row < batch.leads.size(); ++row) {
    std::string id(batch.leads.id(row));
    SCOPED_TRACE("lead " + id + " as of " + FormatTimestamp(as_of.time));
    const RankedScore& want = ranking.scores[row];
    engine::Score got = scorer.Score(records.Of(id), as_of, true);
    EXPECT_EQ(Round2(got.score), Round2(want.score));
    EXPECT_EQ(Round2(got.fit), Round2(want.fit));
    EXPECT_EQ(Round2(got.engagement), Round2(want.engagement));
    EXPECT_EQ(got.grade, want.grade);
    EXPECT_EQ(got.stage, want.stage);
    engine::Score explained;
    batch_scorer.Evaluate(batch.states, row, batch.leads.attributes(row), as_of, true, explained);
    EXPECT_EQ(got.reasons.size(), explained.reasons.size());
    for (size_t i = 0; i < std::min(got.reasons.size(), explained.reasons.size()); ++i) {
      EXPECT_EQ(got.reasons[i].rule, explained.reasons[i].rule);
      EXPECT_EQ(Round2(got.reasons[i].points), Round2(explained.reasons[i].points));
    }
  }
  // The same through Parse: every lead parsed first (each parse reuses the scorer's scratch),
  // then scored from what Parse kept.
  std::vector<std::shared_ptr<const ParsedEvents>> parsed;
  for (uint32_t row = 0; row < batch.leads.size(); ++row) {
    std::string id(batch.leads.id(row));
    parsed.push_back(scorer.Parse(id, records.Of(id).events_json));
  }
  for (uint32_t row = 0; row < batch.leads.size(); ++row) {
    std::string id(batch.leads.id(row));
    SCOPED_TRACE("parsed lead " + id + " as of " + FormatTimestamp(as_of.time));
    const RankedScore& want = ranking.scores[row];
    LeadRecords lead = records.Of(id);
    lead.events_json = {};
    lead.parsed = parsed[row].get();
    engine::Score got = scorer.Score(lead, as_of, false);
    EXPECT_EQ(Round2(got.score), Round2(want.score));
    EXPECT_EQ(Round2(got.engagement), Round2(want.engagement));
    EXPECT_EQ(got.stage, want.stage);
  }
  return batch.leads.size();
}

TEST(LeadScorer, SameAsBatchOnGeneratedData) {
  ScratchDir dir("gen");
  Records records = GeneratedRecords(dir.path, 300, 3, 7);
  auto model = SaasModel();
  ASSERT_TRUE(model);
  for (const char* as_of : {"2025-11-20T12:00:00Z", "2025-12-20", "2026-01-01"}) {
    EXPECT_EQ(ExpectSameAsBatch(model, records, AsOf{Time(as_of)}), 300u);
  }
}

// What `leadscore explain --model examples/saas/model.yaml --as-of 2025-12-20` prints for the
// generator's data (--leads 300 --months 3 --seed 7) after "if nothing happens: leaves MQL on":
// the first whole second at which `leadscore score` of the events up to 2025-12-20 gives no stage.
TEST(LeadScorer, StageChangeTimeAsExplainPrintsIt) {
  ScratchDir dir("explain");
  Records records = GeneratedRecords(dir.path, 300, 3, 7);
  LeadScorer scorer(SaasModel());
  auto leaves = [&](const std::string& id) -> std::string {
    auto change = scorer.StageChangeTime(records.Of(id), AsOf{Time("2025-12-20")});
    if (!change) return "never";
    return FormatTimestamp((*change + kMicrosPerSecond - 1) / kMicrosPerSecond * kMicrosPerSecond);
  };
  EXPECT_EQ(leaves("L0000103"), "2026-03-26T19:21:05Z");
  EXPECT_EQ(leaves("L0000050"), "2026-02-05T15:32:54Z");  // `score` there: no stage
}

const char* kModel = R"(
fields:
  size: number
  industry: string
  signed_up: time
  vip: bool
fit:
  rules:
    - {id: sme, when: size between 10 and 100, points: 20}
    - {id: it, when: industry == "IT", points: 10}
    - {id: fresh, when: days_since(signed_up) < 30, points: 5}
    - {id: vip, when: vip, points: 7}
    - {id: base, points: 1}
engagement:
  decay: {half_life: 30d}
  rules:
    - {id: pv, event: page_view, points: 3, max: 30}
    - {id: pricing, event: page_view, when: 'contains(url, "/pricing")', points: 8}
    - {id: ads, event: page_view, when: utm.source == "ads", points: 4}
    - {id: it_pv, event: page_view, when: lead.industry == "IT", points: 2}
    - {id: burst, event: page_view, count: 3, within: 2d, points: 5}
    - {id: demo, event: demo, points: 30, decay: {expire_after: 14d}}
    - {id: quote, event: quote, points: 40, decay: none}
    - {id: big, event: quote, when: amount > 1000, points: 10, decay: none}
score:
  formula: fit + engagement
grades:
  - {id: A, when: fit >= 30}
  - {id: B, when: fit >= 10}
stages:
  - {id: warm, when: score >= 30}
  - {id: MQL, when: score >= 60}
)";

// Leads and events exercising what the batch reader decides: bad rows, duplicates, nested
// objects, escapes, numbers as ids, conversions that fail, events after the as-of time.
Records EdgeCaseRecords(const std::string& dir) {
  std::vector<std::string> leads = {
      R"({"lead_id":"a","size":50,"industry":"IT","signed_up":"2024-01-20","vip":"yes"})",
      R"({"lead_id":"b","size":"lots","industry":"Retail","signed_up":"never","vip":3})",
      R"({"lead_id":"c","size":"12","industry":"I\u0054","extra":{"x":1}})",
      R"({"lead_id":"d","size":500,"industry":null})",
      R"({"lead_id":"e","size":20,"industry":"IT","vip":true})",
  };
  std::vector<std::string> events = {
      R"({"event_id":"1","lead_id":"a","type":"page_view","ts":"2024-01-25T10:00:00Z","url":"/pricing"})",
      R"({"event_id":"1","lead_id":"a","type":"demo","ts":"2024-01-25T11:00:00Z"})",
      R"({"event_id":"2","lead_id":"a","type":"page_view","ts":1706180400,"utm":{"source":"ads","medium":"cpc"}})",
      R"({"lead_id":"a","type":"page_view","ts":"2024-01-26","url":"/blog"})",
      R"({"lead_id":"a","type":"page_view","ts":"2024-01-26T12:00:00+02:00","utm.source":"ads"})",
      R"({"lead_id":"a","type":"quote","ts":"2024-01-27","amount":"5000"})",
      R"({"lead_id":"a","type":"quote","ts":"2024-03-01","amount":50})",
      R"({"lead_id":"a","ts":"2024-01-27"})",
      R"({"lead_id":"a","type":"demo","ts":"yesterday"})",
      R"({"lead_id":"a","type":"demo"})",
      R"({"lead_id":"a","type":"demo","ts":"2024-01-27",)",
      R"({"lead_id":"b","type":"demo","ts":"2024-01-20","event_id":7})",
      R"({"lead_id":"b","type":"demo","ts":"2024-01-21","event_id":"7"})",
      R"({"lead_id":"b","type":"quote","ts":"2024-01-22","amount":"a lot"})",
      R"({"lead_id":"b","type":"page_view","ts":"2024-01-22","url":{"path":"/pricing"}})",
      R"({"lead_id":"c","type":"page_view","ts":"2024-01-10","url":"/pric\u0069ng"})",
      R"({"lead_id":"c","type":"page_view","ts":"2024-01-11","url":"/pricing","url":"/blog"})",
      R"({"lead_id":"c","type":"webinar","ts":"2024-01-11"})",
      R"({"lead_id":"c","type":"page_view","ts":"2024-01-11T01:00:00Z"})",
      R"({"lead_id":"ghost","type":"quote","ts":"2024-01-15","amount":2000})",
      R"({"lead_id":"ghost","type":"page_view","ts":"2024-01-15","utm":{"source":"ads"}})",
      R"({"lead_id":"late","type":"quote","ts":"2024-02-15"})",
      R"({"lead_id":"e","type":"page_view","ts":"2023-06-01","event_id":"e-old"})",
      R"({"lead_id":"e","type":"page_view","ts":"2024-01-29T23:59:59Z"})",
  };
  return WriteRecords(dir, leads, events);
}

TEST(LeadScorer, SameAsBatchOnEdgeCases) {
  ScratchDir dir("edge");
  Records records = EdgeCaseRecords(dir.path);
  auto model = ModelFromText(kModel);
  ASSERT_TRUE(model);
  for (const char* as_of :
       {"2024-01-01", "2024-01-25T10:30:00Z", "2024-01-30", "2024-02-20", "2024-06-01"}) {
    EXPECT_EQ(ExpectSameAsBatch(model, records, AsOf{Time(as_of)}), 7u);  // a-e, ghost, late
  }
}

// A model reading one page_view rule and one demo rule, no decay.
const char* kPlainModel = R"(
fields:
  size: number
fit:
  rules:
    - {id: sme, when: size between 10 and 100, points: 20}
    - {id: base, points: 1}
engagement:
  rules:
    - {id: pv, event: page_view, points: 3}
    - {id: pricing, event: page_view, when: 'contains(url, "/pricing")', points: 8}
    - {id: ads, event: page_view, when: utm.source == "ads", points: 4}
    - {id: demo, event: demo, points: 30}
stages:
  - {id: MQL, when: score >= 60}
)";

class LeadScorerTest : public testing::Test {
 protected:
  engine::Score Score(std::string_view attributes, std::vector<std::string> events,
                      std::string_view as_of = "2024-02-01") {
    events_ = std::move(events);
    return scorer_.Score(LeadRecords{"a", attributes, events_}, AsOf{Time(as_of)}, true);
  }
  double Points(const engine::Score& s, std::string_view rule) {
    for (const auto& r : s.reasons) {
      if (r.rule == rule) return r.points;
    }
    return 0;
  }

  LeadScorer scorer_{ModelFromText(kPlainModel)};
  std::vector<std::string> events_;
};

TEST_F(LeadScorerTest, CountsARepeatedEventIdOnceFirstWins) {
  auto s = Score(
      R"({"size":50})",
      {
          R"({"lead_id":"a","event_id":"x","type":"page_view","ts":"2024-01-01","url":"/blog"})",
          R"({"lead_id":"a","event_id":"x","type":"page_view","ts":"2024-01-02","url":"/pricing"})",
          R"({"lead_id":"a","event_id":"y","type":"page_view","ts":"2024-01-03"})",
          R"({"lead_id":"a","event_id":"","type":"page_view","ts":"2024-01-03"})",
          R"({"lead_id":"a","type":"page_view","ts":"2024-01-03"})",
      });
  EXPECT_EQ(Points(s, "pv"), 12);  // x once, y, and the two without an id
  EXPECT_EQ(Points(s, "pricing"), 0);
  EXPECT_EQ(s.score, 21 + 12);
}

TEST_F(LeadScorerTest, LeavesOutEventsAfterAsOfButDedupesBeforeTheCut) {
  auto s = Score("", {
                         R"({"lead_id":"a","type":"demo","ts":"2024-01-31T23:59:59Z"})",
                         R"({"lead_id":"a","type":"demo","ts":"2024-02-01T00:00:01Z"})",
                         R"({"lead_id":"a","event_id":"q","type":"page_view","ts":"2024-03-01"})",
                         R"({"lead_id":"a","event_id":"q","type":"page_view","ts":"2024-01-05"})",
                     });
  EXPECT_EQ(Points(s, "demo"), 30);
  EXPECT_EQ(Points(s, "pv"), 0);  // q's first row is after as_of; its repeat does not count
  EXPECT_TRUE(scorer_.errors().empty());
}

TEST_F(LeadScorerTest, ATimeInMillisecondsIsReportedAsSuch) {
  auto s = Score("", {
                         R"({"lead_id":"a","type":"demo","ts":1704067200000})",
                         R"({"lead_id":"a","type":"demo","ts":"1704067200000"})",
                         R"({"lead_id":"a","type":"demo","ts":1704067200})",
                     });
  EXPECT_EQ(Points(s, "demo"), 30);
  ASSERT_EQ(scorer_.errors().size(), 2u);
  for (const auto& e : scorer_.errors()) {
    EXPECT_EQ(e.message,
              "cannot parse \"1704067200000\" as a time (Unix seconds past year 9999: "
              "milliseconds? write seconds); row skipped");
  }
}

TEST_F(LeadScorerTest, SkipsAndReportsBadEventRows) {
  auto s = Score(R"({"size":50})", {
                                       R"({"lead_id":"a","ts":"2024-01-01"})",
                                       R"({"lead_id":"a","type":"demo","ts":"soon"})",
                                       R"({"lead_id":"a","type":"demo"})",
                                       R"({"type":"demo","ts":"2024-01-01"})",
                                       R"({"lead_id":"a","type":"demo",)",
                                       R"(["not","an","object"])",
                                       R"({"lead_id":"b","type":"demo","ts":"2024-01-01"})",
                                       "",
                                       R"({"lead_id":"a","type":"page_view","ts":"2024-01-01"})",
                                   });
  EXPECT_EQ(s.engagement, 3);
  std::vector<std::string> got;
  for (const auto& e : scorer_.errors()) {
    got.push_back(e.file + ":" + std::to_string(e.line) + ":" + e.field + ": " + e.message);
  }
  ASSERT_EQ(got.size(), 7u);
  EXPECT_EQ(got[0], "events:1:type: missing event type; row skipped");
  EXPECT_EQ(got[1],
            "events:2:ts: cannot parse \"soon\" as a time (ISO-8601 or Unix seconds); row skipped");
  EXPECT_EQ(got[2], "events:3:ts: missing ts; row skipped");
  EXPECT_EQ(got[3], "events:4:lead_id: missing lead_id; row skipped");
  EXPECT_EQ(got[4].substr(0, 24), "events:5:: invalid JSON:");
  EXPECT_EQ(got[5], "events:6:: not a JSON object; row skipped");
  EXPECT_EQ(got[6], "events:7:lead_id: an event of lead \"b\", not \"a\"; left out");
}

TEST_F(LeadScorerTest, FlattensNestedProperties) {
  auto s = Score(
      "", {
              R"({"lead_id":"a","type":"page_view","ts":"2024-01-01","utm":{"source":"ads"}})",
              R"({"lead_id":"a","type":"page_view","ts":"2024-01-02","utm":{"source":"mail"}})",
              R"({"lead_id":"a","type":"page_view","ts":"2024-01-03",
                             "utm": {"source": "ad\u0073", "n": [1, {"x": 2}]}})",
          });
  EXPECT_EQ(Points(s, "ads"), 8);
  EXPECT_EQ(Points(s, "pv"), 9);
}

TEST_F(LeadScorerTest, LeadWithoutAttributes) {
  auto s = Score("", {R"({"lead_id":"a","type":"demo","ts":"2024-01-01"})"});
  EXPECT_EQ(s.fit, 1);  // a fit rule without `when` still applies
  EXPECT_EQ(s.engagement, 30);
  auto none = Score("", {});
  EXPECT_EQ(none.score, 1);
  auto bad = Score("{not json", {});
  EXPECT_EQ(bad.score, 1);
  ASSERT_EQ(scorer_.errors().size(), 1u);
  EXPECT_EQ(scorer_.errors()[0].file, "attributes");
}

TEST_F(LeadScorerTest, FailedConversionIsNull) {
  auto s = Score(R"({"size":"many"})", {});
  EXPECT_EQ(s.fit, 1);
  ASSERT_EQ(scorer_.errors().size(), 1u);
  EXPECT_EQ(scorer_.errors()[0].field, "size");
  EXPECT_EQ(scorer_.errors()[0].message, "cannot convert \"many\" to number; using null");
  EXPECT_EQ(Score(R"({"size":" 42 "})", {}).fit, 21);  // a string holding a decimal converts
  EXPECT_TRUE(scorer_.errors().empty());
}

TEST(LeadScorer, HistoryIsAscendingAndEndsWithTheScoreAtTheLastEvent) {
  ScratchDir dir("history");
  Records records = EdgeCaseRecords(dir.path);
  auto model = ModelFromText(kModel);
  ASSERT_TRUE(model);
  LeadScorer scorer(model);
  const AsOf as_of{Time("2024-02-20")};
  auto history = scorer.History(records.Of("a"), as_of, 100);
  // Distinct times of a's good events up to as_of: 01-25 10:00 (page_view; the demo repeats
  // its event_id), 01-25 11:00 (event 2), 01-26 00:00, 01-26 10:00, 01-27 (quote).
  ASSERT_EQ(history.size(), 5u);
  for (size_t i = 1; i < history.size(); ++i) EXPECT_LT(history[i - 1].first, history[i].first);
  EXPECT_EQ(history.back().first, Time("2024-01-27"));
  engine::Score last = scorer.Score(records.Of("a"), AsOf{history.back().first}, false);
  EXPECT_EQ(history.back().second.score, last.score);
  EXPECT_EQ(history.back().second.stage, last.stage);
  EXPECT_EQ(history.front().second.score,
            scorer.Score(records.Of("a"), AsOf{Time("2024-01-25T10:00:00Z")}, false).score);

  // Each point is what a batch run at that time gives.
  BatchOptions options;
  options.leads_path = records.leads_path;
  options.events_path = records.events_path;
  options.as_of = AsOf{history[2].first};
  auto batch = LoadBatch(model, options);
  ASSERT_TRUE(batch);
  Ranking ranking = RankLeads(**batch, 1);
  int64_t row = (*batch)->leads.Find("a", HashBytes("a"));
  ASSERT_GE(row, 0);
  EXPECT_EQ(Round2(history[2].second.score), Round2(ranking.scores[row].score));

  auto latest = scorer.History(records.Of("a"), as_of, 2);
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].first, history[3].first);
  EXPECT_EQ(latest[1].second.score, history[4].second.score);
  EXPECT_TRUE(scorer.History(records.Of("a"), AsOf{Time("2024-01-01")}, 100).empty());
  EXPECT_TRUE(scorer.History(records.Of("nobody"), as_of, 100).empty());
}

TEST(LeadScorer, StageChangeTimeOfAHalfLife) {
  LeadScorer scorer(ModelFromText(R"(
engagement:
  decay: {half_life: 30d}
  rules:
    - {id: demo, event: demo, points: 100}
stages:
  - {id: MQL, when: score >= 50}
)"));
  std::vector<std::string> events = {R"({"lead_id":"a","type":"demo","ts":"2024-01-01"})",
                                     R"({"lead_id":"a","type":"demo","ts":"2024-03-01"})"};
  LeadRecords lead{"a", "", events};
  // 100 points at 2024-01-01 halve to 50 after exactly 30 days: MQL up to then, not after.
  auto change = scorer.StageChangeTime(lead, AsOf{Time("2024-01-01")});
  ASSERT_TRUE(change);
  EXPECT_GT(*change, Time("2024-01-31"));
  EXPECT_LE(*change, Time("2024-01-31") + kMicrosPerSecond);
  // Ten days in: the same date (the event after as_of is left out).
  auto later = scorer.StageChangeTime(lead, AsOf{Time("2024-01-11")});
  ASSERT_TRUE(later);
  EXPECT_LE(*later - *change, kMicrosPerSecond);
  EXPECT_GE(*later - *change, -kMicrosPerSecond);
  // No stage now, none ever (engagement only decays).
  EXPECT_FALSE(scorer.StageChangeTime(lead, AsOf{Time("2024-02-15")}));
}

// A rule whose condition calls days_since matches an event by the as-of time: the lead leaves
// its stage when the condition stops holding, as a run at that time scores it.
TEST(LeadScorer, StageChangeTimeOfADaysSinceCondition) {
  LeadScorer scorer(ModelFromText(R"(
engagement:
  rules:
    - {id: recent, event: visit, when: 'days_since(ts) < 10', points: 70}
stages:
  - {id: MQL, when: score >= 60}
)"));
  std::vector<std::string> events = {R"({"lead_id":"a","type":"visit","ts":"2024-01-01"})"};
  LeadRecords lead{"a", "", events};
  auto change = scorer.StageChangeTime(lead, AsOf{Time("2024-01-02")});
  ASSERT_TRUE(change);
  EXPECT_EQ(*change, Time("2024-01-11"));
}

// What Parse keeps gives every call what the records give, at any as-of time: the cut is
// applied when scoring, not when parsing.
TEST(LeadScorer, ParsedEventsGiveWhatTheRecordsGive) {
  auto model = ModelFromText(kPlainModel);
  ASSERT_TRUE(model);
  std::vector<std::string> events = {
      R"({"lead_id":"a","event_id":"1","type":"page_view","ts":"2024-01-10","url":"/pricing"})",
      R"({"lead_id":"a","event_id":"2","type":"demo","ts":"2024-02-15"})",
      R"({"lead_id":"a","event_id":"3","type":"page_view","ts":"2024-01-02","utm":{"source":"ads"}})",
      R"({"lead_id":"a","event_id":"1","type":"demo","ts":"2024-01-03"})",
      R"({"lead_id":"a","type":"demo","ts":"never"})",
      R"({"lead_id":"b","type":"demo","ts":"2024-01-03"})",
      R"({"lead_id":"a","event_id":"4","type":"page_view","ts":"2024-03-01","url":"/pricing/x"})",
  };
  const std::string attributes = R"({"size":50})";
  LeadScorer scorer(model);
  auto parsed = scorer.Parse("a", events);
  ASSERT_EQ(parsed->model, model.get());
  // Another lead parsed and scored in between overwrites the scorer's scratch space.
  std::vector<std::string> other = {R"({"lead_id":"z","type":"page_view","ts":"2024-01-01",
                                     "url":"/zzzzzzzzzzzzzzzzzzzzzz"})"};
  scorer.Score(LeadRecords{"z", "", other}, AsOf{Time("2024-06-01")}, true);
  auto describe = [](const engine::Score& s) {
    std::string out = fmt::format("{} {}", FormatNumber(s.score), s.stage);
    for (const auto& r : s.reasons) out += fmt::format(" {}={}", r.rule, FormatNumber(r.points));
    return out;
  };
  auto errors = [&] {
    std::vector<std::string> out;
    for (const auto& e : scorer.errors()) out.push_back(FormatRowError(e));
    return out;
  };
  LeadRecords from_text{"a", attributes, events};
  LeadRecords from_parse{"a", attributes, {}, parsed.get()};
  for (const char* as_of : {"2024-01-01", "2024-01-05", "2024-02-15", "2024-02-20", "2024-06-01"}) {
    SCOPED_TRACE(as_of);
    AsOf t{Time(as_of)};
    std::string want = describe(scorer.Score(from_text, t, true));
    auto want_errors = errors();
    EXPECT_EQ(describe(scorer.Score(from_parse, t, true)), want);
    EXPECT_EQ(errors(), want_errors);
    EXPECT_EQ(want_errors.size(), 2u);  // the unreadable ts, lead b's event
    auto history = scorer.History(from_text, t, 10);
    auto history_parsed = scorer.History(from_parse, t, 10);
    ASSERT_EQ(history.size(), history_parsed.size());
    for (size_t i = 0; i < history.size(); ++i) {
      EXPECT_EQ(history[i].first, history_parsed[i].first);
      EXPECT_EQ(describe(history[i].second), describe(history_parsed[i].second));
    }
    EXPECT_EQ(scorer.StageChangeTime(from_text, t), scorer.StageChangeTime(from_parse, t));
    EXPECT_EQ(scorer.FirstTimeAtStage(from_text, t, 0), scorer.FirstTimeAtStage(from_parse, t, 0));
  }
  // The pricing rule read the kept url after the scratch space was reused.
  auto s = scorer.Score(from_parse, AsOf{Time("2024-06-01")}, true);
  EXPECT_NE(describe(s).find("pricing=16"), std::string::npos) << describe(s);
}

// The records of CSV files as training replays them (`train --reference`): a cell that reads as
// a number is read by the model as batch reads it, in a lead's row and in an event's.
TEST(LeadScorer, HistoriesOfCsvFilesReadNumberCellsAsBatchDoes) {
  ScratchDir dir("histories");
  std::filesystem::create_directories(dir.path);
  const std::string leads = dir.path + "/leads.csv", events = dir.path + "/events.csv";
  std::ofstream(leads) << "lead_id,zip\nA,01500\n";
  std::ofstream(events) << "lead_id,type,ts,duration\nA,page_view,2025-12-01,045\n";
  auto model = ModelFromText(R"(version: 1
name: cells
fields: {zip: string}
fit:
  rules:
    - {id: zip, when: 'zip == "01500"', points: 10}
engagement:
  rules:
    - {id: long, event: page_view, when: duration > 30, points: 30}
)");
  ASSERT_TRUE(model);
  auto histories = ReadLeadHistories(learn::FileOpener(leads), learn::FileOpener(events));
  ASSERT_TRUE(histories) << histories.error().message();
  LeadScorer scorer(model);
  engine::Score s = scorer.Score(histories->Of("A"), AsOf{Time("2026-01-01")}, false);
  EXPECT_EQ(s.fit, 10);         // "01500" as written, not 1500
  EXPECT_EQ(s.engagement, 30);  // 045 is 45, as batch reads the cell
}

}  // namespace
}  // namespace leadscore::service
