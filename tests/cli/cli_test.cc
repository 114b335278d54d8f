// The leadscore command line, run on files as a user runs it: outputs, exit codes, and the
// file:line:field of every rejected row.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "testutil/cli_runner.h"

namespace leadscore {
namespace {

using testutil::FilesStartingWith;
using testutil::Lines;
using testutil::RunLeadscore;
using testutil::TempDir;

const char* kModel = R"(version: 1
name: t
fields:
  size: number
  industry: string
fit:
  rules:
    - {id: sme, when: size between 10 and 100, points: 20}
    - {id: it, when: industry == "IT", points: 15}
engagement:
  rules:
    - {id: pv, event: page_view, points: 5, max: 15}
    - {id: demo, event: demo, points: 30}
grades:
  - {id: A, when: fit >= 30}
stages:
  - {id: MQL, when: score >= 50}
accounts:
  key: domain(email)
  aggregate: top_mean
  top: 2
)";

// `args` followed by `extra`.
std::vector<std::string> Joined(std::vector<std::string> args,
                                const std::vector<std::string>& extra) {
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Runs `args` with --strict, which must refuse the input (exit 3) and write nothing.
void ExpectStrictRefuses(std::vector<std::string> args) {
  args.push_back("--strict");
  auto r = RunLeadscore(args);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out, "");
}

class Cli : public testing::Test {
 protected:
  void SetUp() override { model_ = dir_.Write("model.yaml", kModel); }
  TempDir dir_;
  std::string model_;
};

TEST_F(Cli, ScoresSortsAndListsLeadsKnownOnlyFromEvents) {
  std::string leads = dir_.Write("leads.csv",
                                 "lead_id,size,industry,email\n"
                                 "a,50,IT,x@acme.com\n"
                                 "b,500,IT,y@acme.com\n"
                                 "c,20,Retail,z@other.org\n");
  std::string events = dir_.Write("events.jsonl",
                                  R"({"lead_id":"a","type":"page_view","ts":"2024-01-01T00:00:00Z"}
{"lead_id":"b","type":"demo","ts":"2024-01-02T00:00:00Z"}
{"lead_id":"c","type":"page_view","ts":"2024-01-02"}
{"lead_id":"c","type":"page_view","ts":"2024-01-03"}
{"lead_id":"c","type":"page_view","ts":"2024-01-04"}
{"lead_id":"c","type":"page_view","ts":"2024-01-05"}
{"lead_id":"ghost","type":"demo","ts":"2024-01-05"}
{"lead_id":"late","type":"demo","ts":"2024-03-01"}
)");
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--events", events,
                         "--as-of", "2024-02-01", "--accounts", dir_.File("acc.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // a: 35 + 5; b: 15 + 30; c: 20 + 15 (capped); ghost: 0 + 30; late: after as-of, 0.
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "b,45.00,15.00,30.00,,\n"
            "a,40.00,35.00,5.00,A,\n"
            "c,35.00,20.00,15.00,,\n"
            "ghost,30.00,0.00,30.00,,\n"
            "late,0.00,0.00,0.00,,\n");
  EXPECT_EQ(dir_.Read("acc.csv"),
            "account,score,leads,top_lead\n"
            "acme.com,42.50,2,b\n"
            "other.org,35.00,1,c\n");
  EXPECT_NE(r.err.find("8 rows read, 8 used, 0 skipped, 0 duplicates, 1 after --as-of"),
            std::string::npos)
      << r.err;
}

// An account is named by its key's text: a company id written as a number in one line and as a
// string in another is one account, not two that print alike.
TEST_F(Cli, AccountKeysOfTheSameTextAreOneAccount) {
  const std::string model = dir_.Write("acct.yaml",
                                       "version: 1\nname: acct\nfit:\n  rules:\n"
                                       "    - {id: all, points: 10}\n"
                                       "    - {id: big, when: size > 100, points: 20}\n"
                                       "accounts: {key: company, aggregate: sum}\n");
  const std::string leads = dir_.Write("acct.jsonl",
                                       R"({"lead_id":"A","company":123,"size":500}
{"lead_id":"B","company":"123"}
{"lead_id":"C","company":true}
{"lead_id":"D","company":"true"}
{"lead_id":"E","company":"124"}
)");
  auto r = RunLeadscore({"score", "--model", model, "--leads", leads, "--as-of", "2024-02-01",
                         "--accounts", dir_.File("acc.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(dir_.Read("acc.csv"),
            "account,score,leads,top_lead\n"
            "123,40.00,2,A\n"
            "true,20.00,2,C\n"
            "124,10.00,1,E\n");
}

// A header that names two columns `size` reads the last, as Python's csv.DictReader does,
// and says so: a warning at the header's line, which --strict refuses.
TEST_F(Cli, AColumnNamedTwiceIsReportedAndTheLastOneRead) {
  std::string leads = dir_.Write("leads.csv",
                                 "lead_id,size,industry,size\n"
                                 "a,50,IT,500\n"
                                 "b,500,IT,50\n"
                                 "c,50,IT,\n");
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", "2024-02-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "b,35.00,35.00,0.00,A,\n"
            "a,15.00,15.00,0.00,,\n"
            "c,15.00,15.00,0.00,,\n");
  EXPECT_NE(r.err.find(leads + ":1: field `size`: columns 2 and 4 both have this name; column 4 "
                               "is read and column 2 ignored\n"),
            std::string::npos)
      << r.err;
  ExpectStrictRefuses({"score", "--model", model_, "--leads", leads, "--as-of", "2024-02-01"});
}

TEST_F(Cli, BadRowsAreReportedWithFileLineAndFieldAndGoodRowsGoThrough) {
  std::string leads = dir_.Write("leads.csv",
                                 "lead_id,size,industry\n"
                                 "a,50,IT\n"
                                 "b,12\n"
                                 ",30,IT\n"
                                 "a,99,IT\n"
                                 "d,lots,IT\n");
  std::string events = dir_.Write("events.csv",
                                  "lead_id,type,ts\n"
                                  "a,demo,yesterday\n"
                                  "a,,2024-01-01\n"
                                  "a,demo,2024-01-01\n");
  auto r = RunLeadscore(
      {"score", "--model", model_, "--leads", leads, "--events", events, "--as-of", "2024-02-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(leads + ":3:"), std::string::npos) << r.err;  // too few cells
  EXPECT_NE(r.err.find(leads + ":4: field `lead_id`"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(leads + ":5: field `lead_id`: lead_id \"a\" already read at line 2"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(leads + ":6: field `size`: cannot convert \"lots\" to number"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(events + ":2: field `ts`: cannot parse \"yesterday\""), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(events + ":3: field `type`"), std::string::npos) << r.err;
  EXPECT_NE(
      r.err.find("leads.csv: 5 rows read, 2 used, 3 skipped, 1 duplicate, 1 value not converted"),
      std::string::npos)
      << r.err;
  // a: fit 35 + demo 30; d keeps its row with size null: it 15.
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "a,65.00,35.00,30.00,A,MQL\n"
            "d,15.00,15.00,0.00,,\n");
}

// A value in a report is its first 60 bytes, cut before a character rather than in it: a
// report is UTF-8 (a cell that is not is refused whole, naming the encoding).
TEST_F(Cli, AValueInAReportIsCutBetweenCharacters) {
  const std::string long_value = std::string(59, 'a') + "\xc3\xa9tc";
  std::string leads = dir_.Write("leads.csv",
                                 "lead_id,size,industry\n"
                                 "a," +
                                     long_value + ",IT\n");
  std::string events = dir_.Write("events.csv", "lead_id,type,ts\n");
  auto r = RunLeadscore(
      {"score", "--model", model_, "--leads", leads, "--events", events, "--as-of", "2024-02-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(leads + ":2: field `size`: cannot convert \"" + std::string(59, 'a') +
                       "...\" to number"),
            std::string::npos)
      << r.err;
}

// SCORING.md converts every declared field, read or not: a value of one that no rule reads, in a
// lead, an event of a counted type or of a type no rule counts, is reported, and fails --strict.
TEST_F(Cli, DeclaredFieldsNoRuleReadsAreCheckedToo) {
  const std::string model =
      dir_.Write("declared.yaml",
                 "fields: {b: bool, t: time, n: number}\n"
                 "fit:\n  rules:\n    - {id: base, points: 1}\n"
                 "engagement:\n  rules:\n    - {id: pv, event: a, points: 5}\n");
  const std::string leads = dir_.Write("declared_leads.csv",
                                       "lead_id,b,t,n\n"
                                       "L1,maybe,notatime,abc\n"
                                       "L2,true,2024-01-01,12\n");
  const std::string events =
      dir_.Write("declared_events.jsonl",
                 "{\"lead_id\":\"L2\",\"type\":\"a\",\"ts\":\"2024-01-01\",\"n\":\"x1\"}\n"
                 "{\"lead_id\":\"L2\",\"type\":\"other\",\"ts\":\"2024-01-01\",\"b\":7}\n"
                 "{\"lead_id\":\"L2\",\"type\":\"a\",\"ts\":\"2024-01-01\",\"n\":3,\"b\":false}\n");
  auto r = RunLeadscore(
      {"score", "--model", model, "--leads", leads, "--events", events, "--as-of", "2024-02-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& problem : {leads + ":2: field `b`: cannot convert \"maybe\" to bool",
                                     leads + ":2: field `t`: cannot convert \"notatime\" to time",
                                     leads + ":2: field `n`: cannot convert \"abc\" to number",
                                     events + ":1: field `n`: cannot convert \"x1\" to number",
                                     events + ":2: field `b`: cannot convert \"7\" to bool"}) {
    EXPECT_NE(r.err.find(problem), std::string::npos) << problem << "\n" << r.err;
  }
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "L2,11.00,1.00,10.00,,\n"
            "L1,1.00,1.00,0.00,,\n");
  ExpectStrictRefuses(
      {"score", "--model", model, "--leads", leads, "--events", events, "--as-of", "2024-02-01"});
}

// 1e999 is JSON (RFC 8259; Python reads inf) but no double. A value out of range that the model
// reads is null and reported with its field, as a value that does not convert is, and fails
// --strict; the row is kept. An id or a time out of range leaves the row without it: skipped.
TEST_F(Cli, JsonNumberOutOfDoubleRangeIsNullAndReportedAndTheRowKept) {
  const std::string model =
      dir_.Write("amount.yaml",
                 "fields: {amount: number, size: number}\n"
                 "fit:\n  rules:\n    - {id: sme, when: size between 10 and 100, points: 20}\n"
                 "engagement:\n  rules:\n    - {id: pv, event: page_view, points: 5}\n"
                 "    - {id: big, event: page_view, when: amount > 100, points: 50}\n");
  const std::string events =
      dir_.Write("big.jsonl",
                 R"({"lead_id":"A","type":"page_view","ts":"2025-12-01","amount":1e999}
{"lead_id":"A","type":"page_view","ts":"2025-12-01"}
)");
  const std::string leads = dir_.Write("leads.jsonl", R"({"lead_id":"x4","size":1e400}
{"lead_id":"x5","size":50,"unread":-1e400}
)");
  auto r = RunLeadscore(
      {"score", "--model", model, "--leads", leads, "--events", events, "--as-of", "2026-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "x5,20.00,20.00,0.00,,\n"
            "A,10.00,0.00,10.00,,\n"
            "x4,0.00,0.00,0.00,,\n");
  for (const std::string& problem :
       {events + ":1: field `amount`: the number 1e999 is out of range; using null",
        leads + ":1: field `size`: the number 1e400 is out of range; using null",
        events + ": 2 rows read, 2 used, 0 skipped", leads + ": 2 rows read, 2 used, 0 skipped"}) {
    EXPECT_NE(r.err.find(problem), std::string::npos) << problem << "\n" << r.err;
  }
  EXPECT_EQ(r.err.find("invalid JSON"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("unread"), std::string::npos) << r.err;  // a key not read: not reported
  ExpectStrictRefuses({"score", "--model", model, "--events", events, "--as-of", "2026-01-01"});

  const std::string no_id = dir_.Write("no_id.jsonl",
                                       R"({"lead_id":1e999,"type":"page_view","ts":"2025-12-01"}
{"lead_id":"B","type":"page_view","ts":-1e400}
{"lead_id":"B","type":"page_view","ts":"2025-12-01","amount":1e}
{"lead_id":"B","type":"page_view","ts":"2025-12-01","amount":1e-400}
)");
  auto skipped =
      RunLeadscore({"score", "--model", model, "--events", no_id, "--as-of", "2026-01-01"});
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_EQ(skipped.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "B,5.00,0.00,5.00,,\n");
  for (const std::string& problem :
       {no_id + ":1: field `lead_id`: the number 1e999 is out of range; row skipped",
        no_id + ":2: field `ts`: the number -1e400 is out of range; row skipped",
        no_id + ":3: invalid JSON: a number that does not parse; row skipped",
        no_id + ": 4 rows read, 1 used, 3 skipped, 0 duplicates\n"}) {
    EXPECT_NE(skipped.err.find(problem), std::string::npos) << problem << "\n" << skipped.err;
  }
}

TEST_F(Cli, StrictFailsWithNoOutput) {
  std::string leads = dir_.Write("leads.csv", "lead_id,size\na,50\nb,many\n");
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", "2024-01-01",
                         "--strict", "--output", dir_.File("out.csv")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("--strict"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("out.csv")));
  auto ok = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", "2024-01-01",
                          "--output", dir_.File("out.csv")});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.File("out.csv")));
}

TEST_F(Cli, CsvEdgeCases) {
  // BOM, CRLF, quoted delimiter, quoted newline, doubled quotes; line numbers count physical
  // lines, so the bad row after the two-line record is reported at line 5.
  std::string leads = dir_.Write("leads.csv",
                                 "\xEF\xBB\xBFlead_id,industry,size\r\n"
                                 "\"x,1\",IT,50\r\n"
                                 "\"y\",\"I\nT\",50\r\n"
                                 "z,bad\r\n"
                                 "\"q\"\"uote\",IT,\"10\"\r\n");
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", "2024-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(leads + ":5:"), std::string::npos) << r.err;
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "\"q\"\"uote\",35.00,35.00,0.00,A,\n"
            "\"x,1\",35.00,35.00,0.00,A,\n"
            "y,20.00,20.00,0.00,,\n");
}

TEST_F(Cli, DedupeByEventIdHappensBeforeTheAsOfCut) {
  std::string events = dir_.Write("events.jsonl",
                                  R"({"lead_id":"a","type":"demo","ts":"2024-05-01","event_id":"e1"}
{"lead_id":"a","type":"demo","ts":"2024-01-01","event_id":"e1"}
{"lead_id":"a","type":"page_view","ts":"2024-01-01","event_id":"e2"}
{"lead_id":"a","type":"page_view","ts":"2024-01-01","event_id":"e2"}
{"lead_id":"a","type":"page_view","ts":"2024-01-01"}
{"lead_id":"a","type":"page_view","ts":"2024-01-01"}
)");
  auto r = RunLeadscore({"score", "--model", model_, "--events", events, "--as-of", "2024-02-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The first e1 is after as-of and the second is its duplicate: no demo. Page views: 3.
  EXPECT_EQ(r.out, "lead_id,score,fit,engagement,grade,stage\na,15.00,0.00,15.00,,\n");
  EXPECT_NE(r.err.find("2 duplicates"), std::string::npos) << r.err;
}

// Regression (issue 2, found by tests/reference seed 3764): a JSON number id was written as
// 9e+05, so event_id 900000 and "900000" did not dedupe and lead 900000 split in two.
TEST_F(Cli, NumericIdsAreTheirWholeNumberText) {
  std::string leads = dir_.Write("leads.csv", "lead_id,size\n900000,50\n");
  std::string events =
      dir_.Write("events.jsonl",
                 R"({"lead_id":900000,"type":"demo","ts":"2024-01-01","event_id":700000}
{"lead_id":"900000","type":"demo","ts":"2024-01-02","event_id":"700000"}
)");
  auto r = RunLeadscore(
      {"score", "--model", model_, "--leads", leads, "--events", events, "--as-of", "2024-02-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "lead_id,score,fit,engagement,grade,stage\n900000,50.00,20.00,30.00,,MQL\n");
  EXPECT_NE(r.err.find("1 duplicate"), std::string::npos) << r.err;
}

// Numbered ids (most of the file's first ids are `ev` and a number) are deduped through a
// bitmap: `ev07` is not `ev7`, and a number too far from the others is deduped as any id.
// Read from a pipe, whose first bytes cannot be read twice, the output is the same.
TEST_F(Cli, NumberedEventIdsDedupeLikeAnyOther) {
  std::string text;
  for (int i = 100; i < 140; ++i) {
    text += R"({"lead_id":"f)" + std::to_string(i) +
            R"(","type":"page_view","ts":"2024-01-01","event_id":"ev)" + std::to_string(i) +
            "\"}\n";
  }
  const std::string far = "ev" + std::to_string((uint64_t{1} << 28) + 1000);
  for (const std::string& line : std::vector<std::string>{
           R"({"lead_id":"a","type":"demo","ts":"2024-01-01","event_id":"ev7"})",
           R"({"lead_id":"a","type":"demo","ts":"2024-01-02","event_id":"ev7"})",
           R"({"lead_id":"b","type":"demo","ts":"2024-01-01","event_id":"ev07"})",
           R"({"lead_id":"c","type":"demo","ts":"2024-01-01","event_id":")" + far + "\"}",
           R"({"lead_id":"c","type":"demo","ts":"2024-01-03","event_id":")" + far + "\"}",
           R"({"lead_id":"d","type":"demo","ts":"2024-01-01","event_id":"7"})"}) {
    text += line + "\n";
  }
  std::string events = dir_.Write("events.jsonl", text);
  auto r = RunLeadscore({"score", "--model", model_, "--events", events, "--as-of", "2024-02-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 45u) << r.out;
  EXPECT_EQ(lines[1], "a,30.00,0.00,30.00,,");
  EXPECT_EQ(lines[2], "b,30.00,0.00,30.00,,");
  EXPECT_EQ(lines[3], "c,30.00,0.00,30.00,,");
  EXPECT_EQ(lines[4], "d,30.00,0.00,30.00,,");
  EXPECT_EQ(lines[5], "f100,5.00,0.00,5.00,,");
  EXPECT_NE(r.err.find("2 duplicates"), std::string::npos) << r.err;

  const std::string pipe = dir_.File("pipe.jsonl");
  ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
  std::thread writer([&] { std::ofstream(pipe, std::ios::binary) << text; });
  auto piped =
      RunLeadscore({"score", "--model", model_, "--events", pipe, "--as-of", "2024-02-01"});
  writer.join();
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, r.out);
}

// An array or an object is no lead_id or event type (though an array
// reads as its JSON text elsewhere); an event_id that is no id (empty, a bool, an array, an
// object) is none: the event counts and is never a duplicate.
TEST_F(Cli, ValuesThatAreNoIdsAreReportedOrLeftWithoutAnId) {
  std::string events = dir_.Write("events.jsonl",
                                  R"({"lead_id":{"id":"a"},"type":"demo","ts":"2024-01-01"}
{"lead_id":["a"],"type":"demo","ts":"2024-01-01"}
{"lead_id":true,"type":"demo","ts":"2024-01-01"}
{"lead_id":"a","type":{"name":"demo"},"ts":"2024-01-01"}
{"lead_id":"a","type":"page_view","ts":"2024-01-01","event_id":""}
{"lead_id":"a","type":"page_view","ts":"2024-01-02","event_id":""}
{"lead_id":"a","type":"page_view","ts":"2024-01-03","event_id":true}
{"lead_id":"a","type":"page_view","ts":"2024-01-04","event_id":{"id":1}}
{"lead_id":"b","type":"page_view","ts":"2024-01-04","event_id":{"id":1}}
)");
  auto r = RunLeadscore({"score", "--model", model_, "--events", events, "--as-of", "2024-02-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* expected : {
           ":1: field `lead_id`: lead_id must be a string or a number, not an object; row skipped",
           ":2: field `lead_id`: lead_id must be a string or a number, not an array; row skipped",
           ":3: field `lead_id`: lead_id must be a string or a number, not true; row skipped",
           ":4: field `type`: event type must be a string or a number, not an object; row skipped",
       }) {
    EXPECT_NE(r.err.find(events + expected), std::string::npos) << expected << "\n" << r.err;
  }
  // a: four page views, capped at 15; b: one.
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "a,15.00,0.00,15.00,,\n"
            "b,5.00,0.00,5.00,,\n");
  EXPECT_NE(r.err.find("9 rows read, 5 used, 4 skipped, 0 duplicates"), std::string::npos) << r.err;
}

TEST_F(Cli, JsonLinesOutputWithReasons) {
  std::string leads = dir_.Write("leads.jsonl",
                                 R"({"lead_id":"a","size":50,"industry":"IT","extra":{"x":1}}
)");
  std::string events = dir_.Write("events.ndjson",
                                  R"({"lead_id":"a","type":"demo","ts":1704067200}
)");
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--events", events,
                         "--as-of", "2024-01-02", "--format", "jsonl", "--explain"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            R"({"lead_id":"a","score":65,"fit":35,"engagement":30,"grade":"A","stage":"MQL",)"
            R"("reasons":[{"rule":"demo","points":30},{"rule":"sme","points":20},)"
            R"({"rule":"it","points":15}]})"
            "\n");
}

// JSON Lines numbers are the CSV's digits without trailing zeros, even near 1e15 where the
// shortest form of the rounded double has fewer digits (999999999999999.9).
TEST_F(Cli, JsonLinesNumbersHaveTheCsvDigits) {
  std::string model = dir_.Write("big.yaml",
                                 "version: 1\nfit:\n  max: 1e15\n  rules:\n"
                                 "    - {id: big, points: 999999999999999.875}\n"
                                 "    - {id: half, points: -0.5}\n"
                                 "score: {max: 1e15}\n");
  std::string leads = dir_.Write("leads.csv", "lead_id\na\n");
  auto run = [&](const char* format) {
    auto r = RunLeadscore({"score", "--model", model, "--leads", leads, "--as-of", "2024-01-02",
                           "--format", format, "--explain"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(run("csv"),
            "lead_id,score,fit,engagement,grade,stage,reasons\n"
            "a,999999999999999.38,999999999999999.38,0.00,,,big:999999999999999.88;half:-0.50\n");
  EXPECT_EQ(run("jsonl"),
            R"({"lead_id":"a","score":999999999999999.38,"fit":999999999999999.38,"engagement":0,)"
            R"("grade":null,"stage":null,"reasons":[{"rule":"big","points":999999999999999.88},)"
            R"({"rule":"half","points":-0.5}]})"
            "\n");
}

TEST_F(Cli, ExplainColumnInCsv) {
  std::string leads = dir_.Write("leads.csv", "lead_id,size\na,50\n");
  std::string events =
      dir_.Write("events.csv",
                 "lead_id,type,ts\na,page_view,2024-01-01\na,page_view,2024-01-01\n"
                 "a,page_view,2024-01-01\na,page_view,2024-01-01\n");
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--events", events,
                         "--as-of", "2024-01-02", "--explain"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage,reasons\n"
            "a,35.00,20.00,15.00,,,sme:20.00;pv:15.00\n");
}

TEST_F(Cli, ReadsGzipInput) {
  std::string path = dir_.File("events.jsonl.gz");
  gzFile gz = gzopen(path.c_str(), "wb");
  std::string body = R"({"lead_id":"a","type":"demo","ts":"2024-01-01"})"
                     "\n";
  gzwrite(gz, body.data(), static_cast<unsigned>(body.size()));
  gzclose(gz);
  auto r = RunLeadscore({"score", "--model", model_, "--events", path, "--as-of", "2024-01-02"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "lead_id,score,fit,engagement,grade,stage\na,30.00,0.00,30.00,,\n");
}

// The bytes of a gzip file of `n` demo events, one for each of the leads l0, l1, ...
std::string GzipDemoEvents(TempDir& dir, int n) {
  std::string path = dir.File("events.jsonl.gz");
  gzFile gz = gzopen(path.c_str(), "wb");
  std::string body;
  for (int i = 0; i < n; ++i) {
    body += R"({"lead_id":"l)" + std::to_string(i) +
            R"(","type":"demo","ts":"2024-01-01"})"
            "\n";
  }
  gzwrite(gz, body.data(), static_cast<unsigned>(body.size()));
  gzclose(gz);
  return dir.Read("events.jsonl.gz");
}

// The --errors file is an output like the scores: put in place once the input is read, so a
// run that fails before (a damaged gzip stream) leaves the previous one as it was.
TEST_F(Cli, AnErrorsFileIsReplacedOnlyByARunThatReadItsInput) {
  std::string bytes = GzipDemoEvents(dir_, 4000);
  bytes[bytes.size() - 8] = static_cast<char>(bytes[bytes.size() - 8] ^ 0xFF);  // the CRC-32
  std::string damaged = dir_.Write("damaged.jsonl.gz", bytes);
  std::string leads = dir_.Write("leads.csv", "lead_id,size\na,big\nb,7\n");
  std::string errors = dir_.Write("errors.txt", "the previous run's problems\n");
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--events", damaged,
                         "--as-of", "2024-01-02", "--errors", errors});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("damaged gzip stream (incorrect data check)"), std::string::npos) << r.err;
  EXPECT_EQ(dir_.Read("errors.txt"), "the previous run's problems\n");
  EXPECT_EQ(FilesStartingWith(dir_.path(), "errors.txt"), std::vector<std::string>{"errors.txt"});

  r = RunLeadscore(
      {"score", "--model", model_, "--leads", leads, "--as-of", "2024-01-02", "--errors", errors});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(dir_.Read("errors.txt"),
            leads + ":2: field `size`: cannot convert \"big\" to number; using null\n");
}

// A damaged gzip file is found so only at its end (its data check): the rows its damage garbled,
// reported as bad while it was read, are not shown as problems of the input. Other files'
// problems are.
TEST_F(Cli, TheRowsADamagedGzipGarbledAreNotShownAsBadRows) {
  const std::string path = dir_.File("garbled.jsonl.gz");
  gzFile gz = gzopen(path.c_str(), "wb0");  // stored: a changed byte changes a row, not the stream
  std::string body;  // over 8 MB: the garbled rows are in a block read before the stream ends
  for (int i = 0; i < 150000; ++i) {
    body += R"({"lead_id":"l)" + std::to_string(i) +
            R"(","type":"demo","ts":"2024-01-01"})"
            "\n";
  }
  gzwrite(gz, body.data(), static_cast<unsigned>(body.size()));
  gzclose(gz);
  std::string bytes = dir_.Read("garbled.jsonl.gz");
  for (size_t i = 100000; i < 100300; ++i) bytes[i] ^= 0x5A;  // inside a stored block
  dir_.Write("garbled.jsonl.gz", bytes);
  const std::string leads = dir_.Write("leads.csv", "lead_id,size\na,big\n");
  auto r = RunLeadscore(
      {"score", "--model", model_, "--leads", leads, "--events", path, "--as-of", "2024-01-02"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(leads + ":2: field `size`: cannot convert"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(path + ":"), r.err.find(path + ": damaged gzip stream")) << r.err;
  EXPECT_NE(r.err.find(" not shown: read from " + path + " before its damage was found"),
            std::string::npos)
      << r.err;
}

// A compressed file cut short still scores every whole line before the cut; the cut is a bad
// row (file and line), so --strict refuses it.
TEST_F(Cli, TruncatedGzipScoresTheLinesBeforeTheCut) {
  std::string bytes = GzipDemoEvents(dir_, 4000);
  std::string cut = dir_.Write("cut.jsonl.gz", bytes.substr(0, bytes.size() - 40));
  auto r = RunLeadscore({"score", "--model", model_, "--events", cut, "--as-of", "2024-01-02"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t rows = static_cast<size_t>(std::count(r.out.begin(), r.out.end(), '\n')) - 1;
  EXPECT_GT(rows, 3000u);
  EXPECT_LT(rows, 4000u);
  EXPECT_NE(r.out.find("l0,30.00,0.00,30.00,,\n"), std::string::npos);
  EXPECT_NE(r.err.find(cut + ":" + std::to_string(rows + 1) + ": the input ends early"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(std::to_string(rows + 1) + " rows read, " + std::to_string(rows) +
                       " used, 1 skipped"),
            std::string::npos)
      << r.err;
  ExpectStrictRefuses({"score", "--model", model_, "--events", cut, "--as-of", "2024-01-02"});
}

// `-` reads standard input, whatever it is behind it: here a gzip file of JSON Lines, known by
// its bytes (`{` first), its rows reported as `stdin`.
TEST_F(Cli, StandardInputIsReadAsAFileOfItsFormat) {
  std::string bytes = GzipDemoEvents(dir_, 3);
  std::string events = dir_.Write("events.gz.bin", bytes);
  std::string leads = dir_.Write("leads.csv", "lead_id,size\nl0,50\nl1,oops\n");
  auto r = testutil::RunLeadscoreWithStdin(
      {"score", "--model", model_, "--leads", leads, "--events", "-", "--as-of", "2024-01-02"},
      events);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "l0,50.00,20.00,30.00,,MQL\n"
            "l1,30.00,0.00,30.00,,\n"
            "l2,30.00,0.00,30.00,,\n");
  EXPECT_NE(r.err.find("stdin: 3 rows read, 3 used, 0 skipped"), std::string::npos) << r.err;
  // So it is in a directory that holds a file named `-`.
  const std::string cwd = dir_.File("with-a-dash");
  std::filesystem::create_directory(cwd);
  std::ofstream(cwd + "/-") << "not these events\n";
  auto in_cwd = testutil::RunLeadscoreIn(
      cwd, {"score", "--model", model_, "--leads", leads, "--events", "-", "--as-of", "2024-01-02"},
      events);
  ASSERT_EQ(in_cwd.exit_code, 0) << in_cwd.err;
  EXPECT_EQ(in_cwd.out, r.out);
  // CSV leads from standard input; their bad value is reported at `stdin:LINE`.
  r = testutil::RunLeadscoreWithStdin(
      {"score", "--model", model_, "--leads", "-", "--as-of", "2024-01-02"}, leads);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out,
      "lead_id,score,fit,engagement,grade,stage\nl0,20.00,20.00,0.00,,\nl1,0.00,0.00,0.00,,\n");
  EXPECT_NE(r.err.find("stdin:3: field `size`: cannot convert \"oops\""), std::string::npos)
      << r.err;
  // Given twice, it is refused before anything is read, though a file behind it could be read
  // again from its start.
  r = testutil::RunLeadscoreWithStdin(
      {"score", "--model", model_, "--leads", "-", "--events", "-", "--as-of", "2024-01-02"},
      leads);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err,
            "score: --leads and --events both read standard input (-), which can be read once; "
            "give one of them a file; nothing was read or written\n");
  EXPECT_EQ(r.out, "");
}

// `-` with a terminal on standard input says what it waits for, then reads what is typed.
TEST_F(Cli, StandardInputFromATerminalSaysHowToEndIt) {
  auto r = testutil::RunLeadscoreOnTerminal(
      {"score", "--model", model_, "--leads", "-", "--as-of", "2024-01-02"},
      "lead_id,size\nl0,50\n");
  if (r.exit_code == testutil::kNoTerminal) GTEST_SKIP() << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("score: --leads - reads standard input, which is this terminal: type the "
                       "rows (a header line first, for CSV), then Ctrl-D"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "lead_id,score,fit,engagement,grade,stage\nl0,20.00,20.00,0.00,,\n");
  // Ctrl-D alone: nothing typed, nothing scored, and no second wait after it (a terminal's
  // read(2) gives 0 at Ctrl-D, then waits for more typing).
  for (const char* typed : {"", "lead_id,size\n"}) {
    r = testutil::RunLeadscoreOnTerminal(
        {"score", "--model", model_, "--leads", "-", "--as-of", "2024-01-02"}, typed);
    EXPECT_EQ(r.exit_code, 0) << typed << ": " << r.err;
    EXPECT_EQ(r.out, "lead_id,score,fit,engagement,grade,stage\n") << typed;
  }
  // Not said for a pipe or a file on standard input.
  std::string leads = dir_.Write("leads.csv", "lead_id,size\nl0,50\n");
  r = testutil::RunLeadscoreWithStdin(
      {"score", "--model", model_, "--leads", "-", "--as-of", "2024-01-02"}, leads);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("this terminal"), std::string::npos) << r.err;
}

// A pipe (a FIFO here, as bash's `<(zcat events.csv.gz)` makes) is read once, its format told
// by its first bytes though its name has no extension.
TEST_F(Cli, APipeWithNoExtensionIsReadByItsContent) {
  std::string fifo = dir_.File("events");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    std::ofstream(fifo) << "lead_id,type,ts\na,demo,2024-01-01\nb,page_view,2024-01-01\n";
  });
  auto r = RunLeadscore({"score", "--model", model_, "--events", fifo, "--as-of", "2024-01-02"});
  writer.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\na,30.00,0.00,30.00,,\nb,5.00,0.00,5.00,,\n");
  // A command that reads its input twice (`train` reads a table's columns, then its rows) is
  // refused a pipe, rather than given what its first reading left.
  std::string table = dir_.File("table.csv");
  ASSERT_EQ(mkfifo(table.c_str(), 0600), 0);
  std::signal(SIGPIPE, SIG_IGN);  // the writer's, if the reader has gone
  std::thread table_writer([&] { std::ofstream(table) << "x,y\n1,yes\n2,no\n"; });
  r = RunLeadscore({"train", "--table", table, "--label", "y", "--positive", "yes", "--out",
                    dir_.File("m.yaml")});
  table_writer.join();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(table + ": a pipe, which can be read once, and this command reads it twice"),
            std::string::npos)
      << r.err;
  // A plain file with no extension is still refused: its name should say what it holds.
  std::string plain = dir_.Write("events.txt", "lead_id,type,ts\n");
  r = RunLeadscore({"score", "--model", model_, "--events", plain, "--as-of", "2024-01-02"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("unknown file type"), std::string::npos) << r.err;
}

// A gzip stream cut just after its last line (its 8-byte trailer gone) lost no row: every line
// counts as read and used, and the cut is reported once, as a problem with the input rather
// than a skipped row; --strict still refuses it.
TEST_F(Cli, GzipCutAfterTheLastLineCountsNoSkippedRow) {
  std::string bytes = GzipDemoEvents(dir_, 50);
  std::string cut = dir_.Write("cut.jsonl.gz", bytes.substr(0, bytes.size() - 8));
  auto r = RunLeadscore({"score", "--model", model_, "--events", cut, "--as-of", "2024-01-02"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 51) << r.out;
  const std::string report = cut +
                             ":51: the input ends early (truncated gzip stream): every "
                             "line before this one was read\n";  // no "; row skipped"
  const size_t at = r.err.find(report);
  EXPECT_NE(at, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("ends early", at + report.size()), std::string::npos) << r.err;  // once
  EXPECT_NE(r.err.find(cut + ": 50 rows read, 50 used, 0 skipped"), std::string::npos) << r.err;
  ExpectStrictRefuses({"score", "--model", model_, "--events", cut, "--as-of", "2024-01-02"});
}

// Writes `head`, then `mib` MiB of `fill` with no newline, then `tail`, to `path`.
bool WriteAroundALongLine(const std::string& path, const std::string& head, char fill, int mib,
                          const std::string& tail) {
  std::ofstream out(path, std::ios::binary);
  out << head;
  const std::string chunk(1 << 20, fill);
  for (int i = 0; i < mib; ++i) out << chunk;
  out << tail;
  return out.good();
}

// A line of more than 256 MiB (here a run of bytes with no newline, as in a file of binary
// data) is reported and skipped; the rows before and after it count. In a leads CSV too, where
// the rows before such a line make a short first block, which once sized the tables for 60M
// leads (6 GB) from its five bytes a row.
TEST_F(Cli, ALineLongerThanTheBoundIsSkippedAndTheRestScored) {
  struct Case {
    std::string flag, file, head;
    char fill;
    int mib;
    std::string tail, out;
    int line;
  };
  const std::string demo = R"(","type":"demo","ts":"2024-01-01"})"
                           "\n";
  const std::vector<Case> cases = {
      {"--events", "events.jsonl", R"({"lead_id":"before)" + demo, 'x', 270,
       "\n"
       R"({"lead_id":"after)" +
           demo,
       "after,30.00,0.00,30.00,,\nbefore,30.00,0.00,30.00,,\n", 2},
      {"--leads", "leads.csv", "lead_id,size\na,50\nb,", '9', 300, "\nc,20\n",
       "a,20.00,20.00,0.00,,\nc,20.00,20.00,0.00,,\n", 3},
  };
  for (const Case& c : cases) {
    const std::string path = dir_.File(c.file);
    ASSERT_TRUE(WriteAroundALongLine(path, c.head, c.fill, c.mib, c.tail));
    auto r = RunLeadscore({"score", "--model", model_, c.flag, path, "--as-of", "2024-01-02"});
    ASSERT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
    EXPECT_EQ(r.out, "lead_id,score,fit,engagement,grade,stage\n" + c.out);
    EXPECT_NE(r.err.find(path + ":" + std::to_string(c.line) +
                         ": this line is longer than 256 MiB; row skipped"),
              std::string::npos)
        << r.err.substr(0, 2000);
    EXPECT_NE(r.err.find("3 rows read, 2 used, 1 skipped"), std::string::npos)
        << r.err.substr(0, 2000);
    // About 0.8 GB: the line read up to the bound, in a buffer that doubles.
    EXPECT_LT(r.peak_rss_kb, 2'500'000) << c.file;
  }
}

// A CSV header past the bound on a record cannot be skipped as a row can: the file fails with
// what it looks like, one line of no CSV (binary data, say), or a quote that never closes.
TEST_F(Cli, AHeaderLongerThanTheBoundFailsTheFileByName) {
  struct Case {
    std::string head;
    int mib;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"lead_id,", 257, ":1: the header is longer than 256 MiB (is this a CSV file?)"},
      {"lead_id,\"size\n", 70, ":1: unterminated quoted field in the header"},
  };
  for (const Case& c : cases) {
    const std::string path = dir_.File("leads.csv");
    ASSERT_TRUE(WriteAroundALongLine(path, c.head, 'x', c.mib, "\nl1,5\n"));
    auto r = RunLeadscore({"score", "--model", model_, "--leads", path, "--as-of", "2024-01-02"});
    EXPECT_EQ(r.exit_code, 1) << r.err.substr(0, 2000);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find(path + c.message), std::string::npos) << r.err.substr(0, 2000);
  }
}

TEST_F(Cli, MissingFileAndUnknownExtensionFailClearly) {
  auto r = RunLeadscore({"score", "--model", model_, "--leads", dir_.File("nope.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope.csv"), std::string::npos) << r.err;
  std::string odd = dir_.Write("leads.xlsx", "x");
  r = RunLeadscore({"score", "--model", model_, "--leads", odd});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("leads.xlsx"), std::string::npos) << r.err;
  r = RunLeadscore({"score", "--model", model_, "--leads", odd, "--as-of", "soon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--as-of"), std::string::npos) << r.err;
}

TEST_F(Cli, AnUnwritableOutputFailsBeforeReading) {
  std::string leads = dir_.Write("leads.csv", "lead_id\na\n");
  auto r = RunLeadscore(
      {"score", "--model", model_, "--leads", leads, "--output", dir_.File("missing/out.csv")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no such directory"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("rows read"), std::string::npos) << r.err;  // nothing was read
  r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--output", dir_.path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("it is a directory"), std::string::npos) << r.err;
  // A loop of links, for the scores or the accounts: named, not a filesystem exception.
  const std::string loop = dir_.File("loop");
  std::filesystem::create_symlink(loop, loop);
  for (const char* flag : {"--output", "--accounts"}) {
    r = RunLeadscore({"score", "--model", model_, "--leads", leads, flag, loop});
    EXPECT_EQ(r.exit_code, 2) << flag << ": " << r.err;
    EXPECT_EQ(r.err, std::string(flag) + ": cannot write " + loop +
                         ": Too many levels of symbolic links\n");
    EXPECT_TRUE(std::filesystem::is_symlink(loop));
  }
}

// Every file a command reads, given a directory: a message naming it, not an I/O exception
// (yaml-cpp's and std::ifstream's reads of a directory threw, and some ended in terminate).
TEST_F(Cli, ADirectoryGivenForAFileIsNamedAsSuch) {
  std::string leads = dir_.Write("leads.csv", "lead_id\na\n");
  auto r = RunLeadscore({"check", dir_.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is a directory, not a model file"), std::string::npos) << r.err;
  r = RunLeadscore({"test", model_, dir_.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, dir_.path() + ": is a directory, not a test file\n");
  r = RunLeadscore({"serve", "--config", dir_.path(), "--db", dir_.File("store.db")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(dir_.path() + ": is a directory, not a config file"), std::string::npos)
      << r.err;
  std::string events = dir_.Write("events.jsonl", R"({"lead_id":"a","type":"x","ts":1})"
                                                  "\n");
  std::string outcomes = dir_.Write("outcomes.csv", "lead_id,converted\na,1\n");
  r = RunLeadscore({"train", "--leads", leads, "--events", events, "--outcomes", outcomes,
                    "--features", dir_.path(), "--out", dir_.File("trees.json")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(dir_.path() + ": is a directory, not a feature config"), std::string::npos)
      << r.err;
  r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--predictive", dir_.path()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err, "--predictive: " + dir_.path() + ": is a directory, not a trees model\n");
  r = RunLeadscore({"crm", "import", "--preset", "hubspot", "--mapping", dir_.path(), "--in",
                    dir_.Write("export.csv", "Email\na@b.com\n"), "--out", dir_.File("o.jsonl")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(dir_.path() + ": is a directory, not a mapping file"), std::string::npos)
      << r.err;
  for (const char* input : {"--leads", "--events"}) {
    r = RunLeadscore({"score", "--model", model_, input, dir_.path()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err, "score: " + dir_.path() + ": is a directory, not a CSV or JSON Lines file\n");
  }
}

// A config file's bad values are errors at their line and column, before the server starts (a
// list where a path goes threw from yaml-cpp and aborted the process).
TEST_F(Cli, ServeConfigErrorsAreLocated) {
  struct Case {
    const char* yaml;
    const char* said;
  } cases[] = {
      {"db: [a, b]\n", ":1:5: `db` must be a single value"},
      {"model: {x: 1}\n", ":1:8: `model` must be a single value"},
      {"sweep_interval: 5\n",
       ":1:17: sweep_interval: expected a duration like 60s or 5m, not \"5\""},
      // A second key would go unread (the first wins in yaml-cpp): its webhooks dropped.
      {"listen: 127.0.0.1:1\nwebhooks: []\nwebhooks: []\n",
       ":3:1: duplicate key `webhooks` in the config"},
  };
  for (const Case& c : cases) {
    const std::string config = dir_.Write("serve.yaml", c.yaml);
    auto r = RunLeadscore({"serve", "--config", config, "--db", dir_.File("store.db")});
    EXPECT_EQ(r.exit_code, 2) << c.yaml << r.err;
    EXPECT_NE(r.err.find(config + c.said), std::string::npos) << r.err;
  }
  // A role is one of three: another word would be stored as a model's role for good.
  auto r = RunLeadscore({"serve", "--db", dir_.File("store.db"), "--role", "boss"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--role: boss not in {primary,live,shadow}"), std::string::npos) << r.err;
  r = RunLeadscore({"serve", "--db", dir_.File("store.db"), "--threads", "0"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--threads: Value 0 not in range 1 to 1024"), std::string::npos) << r.err;
}

// A port in use fails `serve` before the store is opened: no store is made, no model stored
// or rescored (a second server started by mistake must not change the first one's store).
TEST_F(Cli, ServeOnAPortInUseFailsBeforeTouchingTheStore) {
  const int taken = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(taken, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(taken, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(taken, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string listen = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  auto r =
      RunLeadscore({"serve", "--db", dir_.File("store.db"), "--model", model_, "--listen", listen});
  ::close(taken);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot listen on " + listen), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("store.db"))) << r.err;
}

// A store removed while its write-ahead log stayed is not made anew over that log (SQLite
// would replay another store's pages into the new file): serve refuses, and says why.
TEST_F(Cli, ServeRefusesAMissingStoreWhoseLogIsLeft) {
  dir_.Write("gone.db-wal", std::string(4096, 'x'));
  auto r = RunLeadscore(
      {"serve", "--db", dir_.File("gone.db"), "--model", model_, "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("gone.db is missing, but its write-ahead log " + dir_.File("gone.db-wal") +
                       " is there"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("gone.db")));
}

// A model that never ends (/dev/zero) is refused at 256 MiB, not read until memory runs out.
TEST_F(Cli, AModelWithoutEndIsRefused) {
  const std::string zero = dir_.File("zero.yaml");
  std::filesystem::create_symlink("/dev/zero", zero);
  auto r = RunLeadscore({"check", zero});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(zero + ": larger than 256 MiB: not a model file?"), std::string::npos)
      << r.err;
  r = RunLeadscore({"test", model_, zero});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("larger than 256 MiB"), std::string::npos) << r.err;
}

TEST_F(Cli, CheckPrintsTheModelOrLocatesEveryProblem) {
  auto ok = RunLeadscore({"check", model_});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("sme"), std::string::npos);
  EXPECT_NE(ok.out.find("MQL"), std::string::npos);
  std::string bad = dir_.Write("bad.yaml",
                               "fit:\n  rules:\n    - {id: a, when: lowr(x) == 1, points: 2}\n"
                               "    - {id: b, when: x > 1, pints: 2}\n");
  auto r = RunLeadscore({"check", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(bad + ":3:21: unknown function 'lowr'; did you mean 'lower'?"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(bad + ":4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean `points`?"), std::string::npos) << r.err;
}

// A rule that a merge key copies is compiled once for each copy: its problem is still one.
TEST_F(Cli, CheckReportsAProblemInAMergedRuleOnce) {
  std::string bad = dir_.Write("merged.yaml",
                               "engagement:\n  rules:\n"
                               "    - &views {id: views, event: page_view, points: 5, when: "
                               "\"lowr(x) == 1\"}\n"
                               "    - <<: *views\n      id: pricing\n"
                               "    - <<: *views\n      id: p2\n");
  auto r = RunLeadscore({"check", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, bad + ":3:62: unknown function 'lowr'; did you mean 'lower'?\n" + bad +
                       ": 1 problem; the model was not loaded\n");
}

// An error on the second line of a `|` block is placed there, in a file with a byte order
// mark too (which YAML's positions do not count).
TEST_F(Cli, CheckPlacesAnErrorInsideABlockExpression) {
  const std::string model =
      "fit:\n  rules:\n    - id: a\n      when: |\n        x == 1 and\n          lowr(y)\n"
      "      points: 1\n";
  for (const std::string& bom : {std::string(), std::string("\xEF\xBB\xBF")}) {
    std::string path = dir_.Write(bom.empty() ? "block.yaml" : "bom.yaml", bom + model);
    auto r = RunLeadscore({"check", path});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(path + ":6:11: unknown function 'lowr'"), std::string::npos) << r.err;
  }
}

// A declared time in milliseconds gets the same hint as an event's `ts` in milliseconds.
TEST_F(Cli, ADeclaredTimeInMillisecondsSaysSo) {
  std::string model = dir_.Write("t.yaml",
                                 "version: 1\nfields: {signed_up: time}\nfit:\n  rules:\n"
                                 "    - {id: a, when: exists(signed_up), points: 1}\n");
  std::string leads = dir_.Write("leads.csv", "lead_id,signed_up\na,1730711520000\n");
  auto r = RunLeadscore({"score", "--model", model, "--leads", leads, "--as-of", "2025-01-01"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(leads + ":2: field `signed_up`: cannot convert \"1730711520000\" to time "
                               "(Unix seconds past year 9999: milliseconds? write seconds); using "
                               "null"),
            std::string::npos)
      << r.err;
}

// An option given an empty value is refused, not read as the option left out (which would
// score without the events of an unset `$EVENTS`).
TEST_F(Cli, AnEmptyOptionValueIsAUsageError) {
  std::string leads = dir_.Write("leads.csv", "lead_id,size\na,50\n");
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--events", ""});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("score --events: an empty value; give one, or leave the option out"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty());
}

// A mistyped option or subcommand is refused, as a usage error, with what it was likely meant to
// be: by spelling, or as the one option it begins.
TEST_F(Cli, AMistypedOptionOrSubcommandGetsADidYouMean) {
  struct Case {
    std::vector<std::string> args;
    std::string hint;  // empty: no guess
  } cases[] = {
      {{"score", "--model", model_, "--leads", "leads.csv", "--as-off", "2026-01-01"},
       "--as-off: did you mean `--as-of`?"},
      {{"score", "--model", model_, "--leads", "leads.csv", "--out", "x.csv"},
       "--out: did you mean `--output`?"},
      {{"scroe"}, "scroe: did you mean `score`?"},
      {{"crm", "imprt"}, "imprt: did you mean `import`?"},
      {{"score", "--model", model_, "--leads", "leads.csv", "--e", "x"},
       ""},  // --events, --explain...
      {{"score", "--model", model_, "--leads", "leads.csv", "--zzzzzz"}, ""},
  };
  for (const Case& c : cases) {
    auto r = RunLeadscore(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << " " << r.err;
    if (c.hint.empty()) {
      EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << r.err;
    } else {
      EXPECT_NE(r.err.find(c.hint), std::string::npos) << r.err;
    }
  }
}

// A name with a line break or a tab in it (a spreadsheet's column) prints on one line, escaped
// as the model file writes it.
TEST_F(Cli, CheckPrintsEachNameOnOneLine) {
  std::string odd = dir_.Write("odd.yaml",
                               "fields:\n  \"a\\nb\": number\n  \"tab\\there\": string\n"
                               "fit:\n  rules:\n    - {id: x, when: \"`a\\nb` > 1\", points: 5}\n");
  auto r = RunLeadscore({"check", odd});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\n  a\\nb: number\n  tab\\there: string\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("when `a\\nb` > 1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("reads lead attributes: a\\nb\n"), std::string::npos) << r.out;
  // No engagement rule reads an event property: said, not left blank.
  EXPECT_NE(r.out.find("reads event properties: none\n"), std::string::npos) << r.out;
}

// `engagement` in a fit rule reads a lead attribute of that name, not the engagement score,
// which is not computed yet: check notes it, and not once the model declares such a field.
TEST_F(Cli, CheckNotesAComputedNameReadWhereItIsAnAttribute) {
  const std::string body = R"(fit:
  rules: [{id: a, when: 'engagement > 3', points: 5}]
grades: [{id: A, when: score > 50}]
stages: [{id: MQL, when: grade == "A" and score >= 60}]
)";
  auto r = RunLeadscore({"check", dir_.Write("computed.yaml", body)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("computed.yaml:2:26: `engagement` in a fit rule is a lead attribute of "
                       "that name, not the computed engagement (grades and stages read that); "
                       "declare the field if the attribute is meant (note)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("`score` in"), std::string::npos) << r.err;  // grades and stages read it
  EXPECT_EQ(r.err.find("`grade` in"), std::string::npos) << r.err;
  r = RunLeadscore({"check", dir_.Write("declared.yaml", "fields: {engagement: number}\n" + body)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("(note)"), std::string::npos) << r.err;
}

TEST_F(Cli, TestCommandReportsDiffsAndFails) {
  std::string cases = dir_.Write("cases.yaml", R"(cases:
  - name: right
    as_of: 2024-01-01
    lead: {size: 50, industry: IT}
    expect: {score: 35, grade: A}
  - name: wrong
    as_of: 2024-01-01
    lead: {size: 50}
    expect: {score: 35, stage: MQL}
)");
  auto r = RunLeadscore({"test", model_, cases});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("PASS  right"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL  wrong"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("score: expected 35.00, got 20.00"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stage: expected MQL, got (none)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 passed, 1 failed"), std::string::npos) << r.out;
}

// `exact_reasons` reads as the model's booleans do (True, yes), and anything else is an error
// rather than a check quietly left out; a key written twice is an error, not the last one read.
TEST_F(Cli, TestFilesReadBooleansAndRefuseRepeatedKeys) {
  std::string cases = dir_.Write("exact.yaml", R"(cases:
  - name: an extra reason under True
    as_of: 2024-01-01
    lead: {size: 50, industry: IT}
    expect: {score: 35, reasons: {sme: 20}, exact_reasons: True}
  - name: the same without exact reasons
    as_of: 2024-01-01
    lead: {size: 50, industry: IT}
    expect: {score: 35, reasons: {sme: 20}, exact_reasons: no}
)");
  auto r = RunLeadscore({"test", model_, cases});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL  an extra reason under True"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("PASS  the same without exact reasons"), std::string::npos) << r.out;

  std::string bad = dir_.Write("bad.yaml", R"(cases:
  - name: a misspelt boolean
    as_of: 2024-01-01
    lead: {size: 50}
    expect: {score: 20, exact_reasons: treu}
  - name: twice
    as_of: 2024-01-01
    lead: {size: 50, size: 5}
    expect: {score: 99, score: 20}
    expect: {stage: MQL}
)");
  r = RunLeadscore({"test", model_, bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(bad + ":5:40: exact_reasons must be true or false"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(bad + ":8:22: duplicate key `size` in lead"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(bad + ":9:25: duplicate key `score` in expect"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(bad + ":10:5: duplicate key `expect` in a test case"), std::string::npos)
      << r.err;
  EXPECT_LT(r.err.find(":9:25:"), r.err.find(":10:5:")) << "in file order: " << r.err;
  EXPECT_EQ(r.out.find("PASS"), std::string::npos) << r.out;
}

// Cases that share a lead or an as-of time say so once, with a YAML merge key.
TEST_F(Cli, TestCasesShareSettingsThroughMergeKeys) {
  std::string cases = dir_.Write("merged.yaml", R"(cases:
  - &it_sme
    name: an IT company of 50
    as_of: 2024-01-01
    lead: {size: 50, industry: IT}
    expect: {score: 35, grade: A}
  - <<: *it_sme
    name: the same lead, expected wrongly
    expect: {score: 99}
)");
  auto r = RunLeadscore({"test", model_, cases});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("PASS  an IT company of 50"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL  the same lead, expected wrongly"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("score: expected 99.00, got 35.00"), std::string::npos) << r.out;
}

// A second YAML document in a test file would go unread, its cases never run: an error, with
// its line, before any case runs.
TEST_F(Cli, ATestFileOfTwoDocumentsIsRefused) {
  std::string cases = dir_.Write("two.yaml", R"(cases:
  - {name: first, as_of: 2024-01-01, lead: {size: 50, industry: IT}, expect: {score: 35}}
---
cases:
  - {name: second, as_of: 2024-01-01, lead: {size: 50}, expect: {score: 99}}
)");
  auto r = RunLeadscore({"test", model_, cases});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.out.find("PASS"), std::string::npos) << r.out;
  EXPECT_NE(
      r.err.find(cases + ":3:1: a test file holds one YAML document; another starts here (after "
                         "`---`): its cases would not run"),
      std::string::npos)
      << r.err;
}

// A misspelt key in a test file is pointed at, with the key it was likely meant to be.
TEST_F(Cli, TestFileTyposGetADidYouMean) {
  std::string cases = dir_.Write("typo.yaml", R"(cases:
  - name: one
    as_of: 2024-01-01
    lead: {size: 50}
    expect: {scroe: 20}
  - name: two
    asof: 2024-01-01
    expect: {score: 0}
)");
  auto r = RunLeadscore({"test", model_, cases});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find(cases + ":5:14: unknown key `scroe` in expect; did you mean `score`? (score, fit, "
                         "engagement, grade, stage, reasons, exact_reasons)"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(cases + ":7:5: unknown key `asof` in a test case; did you mean `as_of`?"),
            std::string::npos)
      << r.err;
  // The misspelt expectation is the problem, not a case that expects nothing.
  EXPECT_EQ(r.err.find("`one` expects nothing"), std::string::npos) << r.err;
}

// What would let a case pass unchecked, or check something else than meant, is an error of the
// file: a case that expects nothing, a time that does not read, an event of another lead, a
// list for a name, an empty id, no case at all.
TEST_F(Cli, TestFilesRefuseWhatWouldPassUnchecked) {
  std::string cases = dir_.Write("unchecked.yaml", R"(cases:
  - name: nothing expected
    as_of: 2024-01-01
    lead: {size: 50}
  - name: a word for a time
    as_of: yesterday
    expect: {score: 0}
  - name: another lead's event
    as_of: 2024-01-01
    lead: {lead_id: a, size: 50}
    events:
      - {lead_id: b, type: demo, ts: 2023-12-31}
    expect: {score: 50}
  - name: [a, list]
    as_of: 2024-01-01
    expect: {score: 0, stage: ""}
  - name: a NUL in ids
    as_of: 2024-01-01
    lead: {lead_id: "a\0"}
    events:
      - {type: "de\0mo", ts: 2023-12-31, event_id: "\0"}
    expect: {score: 0}
)");
  auto r = RunLeadscore({"test", model_, cases});
  EXPECT_EQ(r.exit_code, 1);
  for (const std::string& said :
       {cases + ":2:5: test case `nothing expected` expects nothing: give `expect` a score, fit, "
                "engagement, grade, stage or reasons",
        cases + ":6:12: as_of: cannot read `yesterday` as a time; use ISO-8601",
        cases + ":12:19: an event of test case `another lead's event` has lead_id `b`, but the "
                "lead is `a`; a case scores one lead: leave `lead_id` out of its events",
        cases + ":14:11: name must be a single value",
        cases + ":16:31: stage must be an id of the model's, or null for none",
        cases + ":19:21: lead_id holds the character U+0000 (NUL), which no id may hold",
        cases + ":21:16: type holds the character U+0000 (NUL), which no id may hold",
        cases + ":21:52: event_id holds the character U+0000 (NUL), which no id may hold"}) {
    EXPECT_NE(r.err.find(said), std::string::npos) << said << "\n" << r.err;
  }
  EXPECT_EQ(r.out.find("PASS"), std::string::npos) << r.out;

  r = RunLeadscore({"test", model_, dir_.Write("none.yaml", "cases: []\n")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(":1:8: `cases` holds no test case"), std::string::npos) << r.err;
  r = RunLeadscore({"test", model_, dir_.Write("typo.yaml", "case:\n  - name: x\n")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(":1:1: unknown key `case` in a test file; did you mean `cases`?"),
            std::string::npos)
      << r.err;
  // A model named in the file would not be the one run: refused, saying which is.
  r = RunLeadscore(
      {"test", model_, dir_.Write("named.yaml", "model: other.yaml\ncases:\n  - name: x\n")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(":1:1: a test file does not name its model: `leadscore test MODEL CASES` "
                       "runs the cases against MODEL"),
            std::string::npos)
      << r.err;
  r = RunLeadscore({"test", model_});  // no cases beside the model
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(
      r.err.find("test: no test cases for " + model_ + ": neither " +
                 dir_.File("model.cases.yaml") + " nor " + dir_.File("cases.yaml") + " exists"),
      std::string::npos)
      << r.err;
}

// An id the model does not have is said as such (a typo reads otherwise as a wrong score), and
// a rule expected to give 0 may give nothing.
TEST_F(Cli, TestCasesNameIdsTheModelLacks) {
  std::string cases = dir_.Write("ids.yaml", R"(cases:
  - name: typos
    as_of: 2024-01-01
    lead: {size: 50, industry: IT}
    expect: {grade: a, stage: SQL, reasons: {smee: 20, pv: 0, demo: 0}}
  - name: zeros
    as_of: 2024-01-01
    lead: {size: 50, industry: IT}
    expect: {score: 35, reasons: {pv: 0, sme: 20}, exact_reasons: true}
)");
  auto r = RunLeadscore({"test", model_, cases});
  EXPECT_EQ(r.exit_code, 1);
  for (const char* said :
       {"grade: expected a, got A (the model has no grade `a`: A)",
        "stage: expected SQL, got (none) (the model has no stage `SQL`: MQL)",
        "reason smee: expected 20.00, got (none) (the model has no rule `smee`; did you mean "
        "`sme`?)"}) {
    EXPECT_NE(r.out.find(said), std::string::npos) << said << "\n" << r.out;
  }
  EXPECT_EQ(r.out.find("reason pv"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("reason demo"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL  zeros"), std::string::npos) << r.out;  // it (15) is not expected
  EXPECT_NE(r.out.find("reason it: not expected, got 15.00"), std::string::npos) << r.out;
}

// The first line of explain is a true equation: a clamped score shows the formula's value and
// the cut, and another formula is named rather than written as fit + engagement.
TEST_F(Cli, ExplainsHeaderShowsTheCutAndTheFormula) {
  std::string leads = dir_.Write("leads.csv", "lead_id,size,industry\na,50,IT\n");
  std::string events = dir_.Write("events.csv", "lead_id,type,ts\na,demo,2024-01-01\n");
  auto explain = [&](const std::string& score_section) {
    std::string model = kModel;
    model.replace(model.find("grades:"), 0, score_section);
    auto r = RunLeadscore({"explain", "--model", dir_.Write("m.yaml", model), "--leads", leads,
                           "--events", events, "--lead", "a", "--as-of", "2024-01-02"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_NE(explain("score: {max: 50}\n")
                .find("\nscore 50.00  = fit 35.00 + engagement 30.00 = 65.00, cut to 50.00\n"),
            std::string::npos);
  EXPECT_NE(explain("score: {formula: fit + engagement * 1.5}\n")
                .find("\nscore 80.00  from fit 35.00 and engagement 30.00 by the formula fit + "
                      "engagement * 1.5\n"),
            std::string::npos);
  EXPECT_NE(explain("score: {formula: fit - engagement * 2}\n")
                .find("\nscore 0.00  from fit 35.00 and engagement 30.00 by the formula fit - "
                      "engagement * 2, which gives -25.00, raised to 0.00\n"),
            std::string::npos);
}

TEST_F(Cli, ExplainNamesRulesEventsAndNextSteps) {
  std::string leads = dir_.Write("leads.csv", "lead_id,size,industry\na,50,IT\n");
  std::string events = dir_.Write("events.csv", "lead_id,type,ts\na,page_view,2024-01-01\n");
  auto r = RunLeadscore({"explain", "--model", model_, "--leads", leads, "--events", events,
                         "--lead", "a", "--as-of", "2024-01-02"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("score 40.00"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(events + ":2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("to reach MQL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("one more demo event (rule demo): score 70.00"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("rule pv"), std::string::npos) << r.out;  // 45 < 50 does not reach MQL
  auto missing = RunLeadscore(
      {"explain", "--model", model_, "--leads", leads, "--lead", "zz", "--as-of", "2024-01-02"});
  EXPECT_EQ(missing.exit_code, 1);
}

// explain's next steps are scored as they would be if they happened: a made-up event counts for
// every rule of its type it matches and for no other (a rule on `lead.x` the lead does not meet
// is no step); a filled-in attribute is read by every rule that reads it, with a value the
// model's conditions name. `score` on the files with the step done gives what explain says.
TEST_F(Cli, ExplainsNextStepsAsTheyWouldScore) {
  std::string model = dir_.Write("steps.yaml", R"(fields: {company_size: number, budget: number}
fit:
  rules:
    - {id: budget, when: budget >= 5000 and company_size > 5, points: 50}
    - {id: mid, when: company_size between 10 and 500, points: 20}
    - {id: some, when: company_size > 5, points: 20}
engagement:
  rules:
    - {id: page_visit, event: page_view, points: 5}
    - {id: pricing, event: page_view, when: 'contains(url, "/pricing")', points: 10}
    - {id: fr_quote, event: quote_request, when: lead.country == "FR", points: 50}
stages: [{id: MQL, when: score >= 60}]
)");
  std::string leads = dir_.Write("leads.csv", "lead_id,country,company_size\nL1,DE,1\nL2,DE,\n");
  std::string events = dir_.Write(
      "events.jsonl",
      R"({"lead_id":"L1","type":"page_view","ts":"2026-01-01T00:00:00Z","url":"/pricing"})"
      "\n"
      R"({"lead_id":"L1","type":"page_view","ts":"2026-01-01T00:00:00Z","url":"/pricing"})"
      "\n"
      R"({"lead_id":"L1","type":"page_view","ts":"2026-01-01T00:00:00Z","url":"/pricing"})"
      "\n");
  auto explain = [&](const std::string& lead) {
    return RunLeadscore({"explain", "--model", model, "--leads", leads, "--events", events,
                         "--lead", lead, "--as-of", "2026-01-01"});
  };
  auto r = explain("L1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("score 45.00"), std::string::npos) << r.out;
  // 45 + 5 + 10: both page_view rules count the event.
  EXPECT_NE(r.out.find("  one more page_view event with url = \"/pricing\" (rules page_visit, "
                       "pricing): score 60.00\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("fr_quote"), std::string::npos) << r.out;  // the lead is not in FR
  EXPECT_EQ(r.out.find("budget"), std::string::npos) << r.out;    // company_size 1 blocks it
  r = explain("L2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // company_size alone: mid and some, 40 < 60; with budget filled in too it would be two steps.
  EXPECT_NE(r.out.find("no single event or attribute value tried gets there"), std::string::npos)
      << r.out;

  std::string done = dir_.Write("done.jsonl", [&] {
    std::ifstream in(events);
    std::stringstream all;
    all << in.rdbuf()
        << R"({"lead_id":"L1","type":"page_view","ts":"2026-01-01T00:00:00Z","url":"/pricing"})"
        << "\n";
    return all.str();
  }());
  auto scored = RunLeadscore(
      {"score", "--model", model, "--leads", leads, "--events", done, "--as-of", "2026-01-01"});
  EXPECT_NE(scored.out.find("L1,60.00,0.00,60.00,,MQL"), std::string::npos) << scored.out;
}

// A condition on a negative number holds a constant under a minus sign: explain tries it.
TEST_F(Cli, ExplainTriesNegativeValuesTheConditionsName) {
  std::string model = dir_.Write("neg.yaml", R"(fit:
  rules: [{id: overdrawn, when: balance < -100, points: 70}]
engagement:
  rules: [{id: down, event: rating, when: stars == -1, points: 70}]
stages: [{id: MQL, when: score >= 60}]
)");
  std::string leads = dir_.Write("leads.csv", "lead_id\nA\n");
  auto r = RunLeadscore(
      {"explain", "--model", model, "--leads", leads, "--lead", "A", "--as-of", "2025-03-02"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  one more rating event with stars = -1 (rule down): score 70.00\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  fill in balance with -101: score 70.00\n"), std::string::npos) << r.out;
  // An attribute is not filled in with nothing: "" is no value a CSV cell can hold.
  std::string phone = dir_.Write("phone.yaml", R"(fit:
  rules:
    - {id: phone, when: 'exists(phone)', points: 62}
    - {id: untitled, when: 'trim(title) == ""', points: 1}
stages: [{id: MQL, when: score >= 60}]
)");
  r = RunLeadscore({"explain", "--model", phone, "--leads",
                    dir_.Write("phone.csv", "lead_id,phone,title\nA,,\n"), "--lead", "A", "--as-of",
                    "2025-03-02"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  fill in phone with \"other\": score 62.00\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("with \"\":"), std::string::npos) << r.out;
  // Done, as explain says.
  auto scored =
      RunLeadscore({"score", "--model", model, "--leads",
                    dir_.Write("done.csv", "lead_id,balance\nA,-101\n"), "--as-of", "2025-03-02"});
  EXPECT_NE(scored.out.find("A,70.00,70.00,0.00,,MQL"), std::string::npos) << scored.out;
}

// "If nothing happens" is exact at a rule's step (an event reaching its expiry), however far
// ahead and however short the stay out of the stage; a stage left upwards says so; "what
// counted" lists only the events that still count.
TEST_F(Cli, ExplainsWhenTimeAloneChangesTheStage) {
  std::string model = dir_.Write("time.yaml", R"(engagement:
  rules:
    - {id: demo, event: demo_booked, points: 60, decay: {expire_after: 4000d}}
    - {id: a, event: a, points: 30, decay: {expire_after: 25h}}
    - {id: b, event: b, points: -20, decay: {expire_after: 26h}}
    - {id: c, event: c, points: 40}
    - {id: visit, event: pv, points: 5, max: 25, decay: {expire_after: 7d}}
stages: [{id: MQL, when: score >= 40}, {id: SQL, when: score >= 65}]
)");
  std::string leads = dir_.Write("leads.csv", "lead_id\nfar\ndip\nup\nvisits\nneg\n");
  std::string events = dir_.Write("events.csv",
                                  "lead_id,type,ts\n"
                                  "far,demo_booked,2026-01-01T00:00:00Z\n"
                                  "dip,a,2026-01-01T00:00:00Z\n"
                                  "dip,b,2026-01-01T00:00:00Z\n"
                                  "dip,c,2026-01-01T00:00:00Z\n"
                                  "up,c,2026-01-01T00:00:00Z\n"
                                  "up,c,2026-01-01T00:00:00Z\n"
                                  "up,b,2026-01-01T00:00:00Z\n"
                                  "visits,pv,2025-12-01T00:00:00Z\n"
                                  "visits,pv,2025-12-02T00:00:00Z\n"
                                  "visits,pv,2025-12-30T00:00:00Z\n"
                                  "visits,c,2025-12-30T00:00:00Z\n"
                                  "neg,c,2026-01-01T00:00:00Z\n"
                                  "neg,b,2026-01-01T00:00:00Z\n");
  auto explain = [&](const std::string& lead) {
    auto r = RunLeadscore({"explain", "--model", model, "--leads", leads, "--events", events,
                           "--lead", lead, "--as-of", "2026-01-01"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  // Eleven years on: not "stays".
  EXPECT_NE(explain("far").find("if nothing happens: leaves MQL on 2036-12-14T00:00:00Z, when "
                                "`score >= 40` stops holding; then no stage"),
            std::string::npos);
  // Out of MQL from 01:00 (a expires) to 02:00 (b expires) on the next day.
  EXPECT_NE(explain("dip").find("leaves MQL on 2026-01-02T01:00:00Z"), std::string::npos);
  EXPECT_NE(explain("up").find("if nothing happens: moves up from MQL to SQL on "
                               "2026-01-02T02:00:00Z"),
            std::string::npos);
  // No stage now: said when time alone brings one (b's -20 expires).
  EXPECT_NE(explain("neg").find("if nothing happens: enters MQL on 2026-01-02T02:00:00Z\n"),
            std::string::npos);
  std::string visits = explain("visits");
  EXPECT_NE(visits.find("+5.00  visit              1 x +5.00 pv"), std::string::npos) << visits;
  EXPECT_NE(visits.find("events: 2025-12-30T00:00:00Z (" + events + ":11)\n"), std::string::npos)
      << visits;
  // The dip, as `score` sees it.
  for (const auto& [at, row] : {std::pair{"2026-01-02T00:59:59Z", "dip,50.00,0.00,50.00,,MQL\n"},
                                std::pair{"2026-01-02T01:00:00Z", "dip,20.00,0.00,20.00,,\n"},
                                std::pair{"2026-01-02T02:00:00Z", "dip,40.00,0.00,40.00,,MQL\n"}}) {
    auto r = RunLeadscore(
        {"score", "--model", model, "--leads", leads, "--events", events, "--as-of", at});
    EXPECT_NE(r.out.find(row), std::string::npos) << at << "\n" << r.out;
  }
}

// A rule whose condition calls days_since matches an event by the as-of time: the forecast
// matches the lead's events again at each time it looks at, as `score` at that time does.
TEST_F(Cli, ExplainsWhenDaysSinceInARuleTakesTheLeadOut) {
  std::string model = dir_.Write("recent.yaml", R"(fields: {created: time}
fit:
  rules: [{id: base, points: 50}]
engagement:
  rules:
    - {id: recent, event: visit, when: 'days_since(ts) < 10', points: 30}
    - {id: young, event: call, when: 'days_since(lead.created) < 20', points: 20}
stages: [{id: MQL, when: score >= 70}]
)");
  std::string leads = dir_.Write("leads.csv", "lead_id,created\nv,2025-01-01\nc,2025-02-01\n");
  std::string events = dir_.Write("events.csv",
                                  "lead_id,type,ts\n"
                                  "v,visit,2025-03-01T06:00:00Z\n"
                                  "c,call,2025-02-05T00:00:00Z\n");
  auto explain = [&](const std::string& lead, const std::string& as_of) {
    auto r = RunLeadscore({"explain", "--model", model, "--leads", leads, "--events", events,
                           "--lead", lead, "--as-of", as_of});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_NE(explain("v", "2025-03-02")
                .find("if nothing happens: leaves MQL on "
                      "2025-03-11T06:00:00Z, when `score >= 70` stops "
                      "holding; then no stage"),
            std::string::npos);
  EXPECT_NE(explain("c", "2025-02-10")
                .find("if nothing happens: leaves MQL on "
                      "2025-02-21T00:00:00Z"),
            std::string::npos);
  for (const auto& [at, row] : {std::pair{"2025-03-11T06:00:00Z", "v,50.00,50.00,0.00,,\n"},
                                std::pair{"2025-03-11T05:59:59Z", "v,80.00,50.00,30.00,,MQL\n"},
                                std::pair{"2025-02-21T00:00:00Z", "c,50.00,50.00,0.00,,\n"},
                                std::pair{"2025-02-20T23:59:59Z", "c,70.00,50.00,20.00,,MQL\n"}}) {
    auto r = RunLeadscore(
        {"score", "--model", model, "--leads", leads, "--events", events, "--as-of", at});
    EXPECT_NE(r.out.find(row), std::string::npos) << at << "\n" << r.out;
  }
}

// explain counts the input's problems rather than listing them, and tells them apart: a value
// that did not convert is not a skipped row.
TEST_F(Cli, ExplainCountsTheInputsProblemsByKind) {
  std::string leads = dir_.Write("leads.csv", "lead_id,size\na,50\nb,big\nc,many\n,4\n");
  std::string events = dir_.Write("events.csv", "lead_id,type,ts\na,page_view,yesterday\n");
  auto r = RunLeadscore({"explain", "--model", model_, "--leads", leads, "--events", events,
                         "--lead", "a", "--as-of", "2024-01-02"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("(4 problems in the input: 2 rows skipped, 2 values not converted; "
                       "`leadscore score --errors -` lists them)"),
            std::string::npos)
      << r.err;
  r = RunLeadscore(
      {"explain", "--model", model_, "--leads", leads, "--lead", "b", "--as-of", "2024-01-02"});
  EXPECT_NE(r.err.find("(3 problems in the input: 1 row skipped, 2 values not converted;"),
            std::string::npos)
      << r.err;
}

// Shuffling the events, or changing the thread count, changes no output byte.
TEST_F(Cli, OutputIsIndependentOfEventOrderAndThreads) {
  std::string data = dir_.path() + "/gen";
  auto g = RunLeadscore({"generate", "--out", data, "--leads", "300", "--months", "3"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  std::string w1 = std::string(LEADSCORE_SOURCE_DIR) + "/examples/saas/model.yaml";
  std::vector<std::string> base = {
      "score", "--model", w1, "--leads", data + "/leads.csv", "--as-of", "2026-01-01", "--explain"};
  auto with = [&](const std::vector<std::string>& extra) {
    return RunLeadscore(Joined(base, extra));
  };
  auto reference = with({"--events", data + "/events.jsonl", "--threads", "1"});
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  EXPECT_GT(Lines(reference.out).size(), 250u);

  // Duplicated event ids make order matter (the first one counts), so keep only unique ones.
  std::ifstream in(data + "/events.jsonl");
  std::vector<std::string> events;
  std::set<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    auto start = line.find("\"event_id\":\"");
    std::string id = line.substr(start, line.find('"', start + 12) - start);
    if (ids.insert(id).second) events.push_back(line);
  }
  std::string unique_path = data + "/unique.jsonl";
  std::ofstream(unique_path) << [&] {
    std::string s;
    for (auto& l : events) s += l + "\n";
    return s;
  }();
  auto unique = with({"--events", unique_path, "--threads", "1"});
  std::mt19937 rng(7);
  std::shuffle(events.begin(), events.end(), rng);
  std::string shuffled_path = data + "/shuffled.jsonl";
  std::ofstream(shuffled_path) << [&] {
    std::string s;
    for (auto& l : events) s += l + "\n";
    return s;
  }();
  auto shuffled = with({"--events", shuffled_path, "--threads", "2"});
  ASSERT_EQ(shuffled.exit_code, 0) << shuffled.err;
  EXPECT_EQ(unique.out, shuffled.out);
  EXPECT_EQ(unique.out, reference.out);  // the duplicates were exact re-sends
  auto four = with({"--events", data + "/events.jsonl", "--threads", "4"});
  EXPECT_EQ(four.out, reference.out);
}

TEST_F(Cli, AHeaderWithoutTheRequiredColumnsFailsAtOnce) {
  std::string leads = dir_.Write("leads.csv", "id,size\n1,2\n");
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", "2024-01-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(leads + ":1: the header has no `lead_id` column (it has: id, size)"),
            std::string::npos)
      << r.err;
  std::string events = dir_.Write("events.csv", "lead_id,type,when\na,demo,2024-01-01\n");
  r = RunLeadscore({"score", "--model", model_, "--events", events, "--as-of", "2024-01-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no `ts` column"), std::string::npos) << r.err;
  // Blank lines before the header: the header's own line is named.
  std::string late = dir_.Write("late.csv", "\n\r\nid,size\n1,2\n");
  r = RunLeadscore({"score", "--model", model_, "--leads", late, "--as-of", "2024-01-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(late + ":3: the header has no `lead_id` column"), std::string::npos)
      << r.err;

  // What the list of names does not show is said.
  std::string spaced = dir_.Write("spaced.csv", "lead_id ,size\na,5\n");
  r = RunLeadscore({"score", "--model", model_, "--leads", spaced, "--as-of", "2024-01-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("its column \"lead_id \" has spaces or tabs around the name"),
            std::string::npos)
      << r.err;
  std::string boms = dir_.Write("boms.csv", "\xEF\xBB\xBF\xEF\xBB\xBFlead_id,size\na,5\n");
  r = RunLeadscore({"score", "--model", model_, "--leads", boms, "--as-of", "2024-01-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("has a byte-order mark around the name"), std::string::npos) << r.err;

  // Lines ended by a lone CR (classic Mac OS): one header line and no rows, unless refused.
  std::string mac = dir_.Write("mac.csv", "lead_id,size,industry\ra,50,IT\rb,5,Retail\r");
  r = RunLeadscore({"score", "--model", model_, "--leads", mac, "--as-of", "2024-01-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(mac + ":1: the header holds a carriage return"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  // A CRLF file whose quoted header name runs over two lines (Alt+Enter in a spreadsheet)
  // holds "\r\n" there, which is no lone CR: read.
  std::string crlf = dir_.Write("crlf.csv", "lead_id,\"Multi\r\nLine\",size\r\na,x,50\r\n");
  r = RunLeadscore({"score", "--model", model_, "--leads", crlf, "--as-of", "2024-01-01"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\na,"), std::string::npos) << r.out;
}

TEST_F(Cli, ControlBytesInBadValuesAreEscapedInMessages) {
  std::string leads = dir_.Write(
      "leads.csv", std::string("lead_id,size\na,\x01\x7f\nb,") + std::string(100, 'x') + "\n");
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", "2024-01-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("cannot convert \"\\x01\\x7f\" to number"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(std::string(60, 'x') + "...\" to number"), std::string::npos) << r.err;
}

TEST_F(Cli, ReservedKeysCanBeReadInConditions) {
  std::string model = dir_.Write("reserved.yaml", R"(fit:
  rules:
    - {id: vip, when: 'starts_with(lead_id, "vip")', points: 10}
engagement:
  rules:
    - {id: pv, event: page_view, when: 'type == "page_view" and lead.lead_id != "b"', points: 5}
)");
  std::string leads = dir_.Write("leads.csv", "lead_id\nvip1\nb\n");
  std::string events = dir_.Write("events.csv",
                                  "lead_id,type,ts\nvip1,page_view,2024-01-01\n"
                                  "b,page_view,2024-01-01\n");
  auto r = RunLeadscore(
      {"score", "--model", model, "--leads", leads, "--events", events, "--as-of", "2024-01-02"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out,
      "lead_id,score,fit,engagement,grade,stage\nvip1,15.00,10.00,5.00,,\nb,0.00,0.00,0.00,,\n");
}

TEST(CliHelp, EverySubcommandHasHelp) {
  for (const char* sub : {"check", "score", "explain", "test", "generate"}) {
    auto r = RunLeadscore({sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << sub;
  }
  auto r = RunLeadscore({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
}

// --output writes where a user means it to: through a link to its target (the link stays), into
// a device or a FIFO in place (neither can be replaced by a rename), over a regular file with
// that file's permissions kept. A failed write, to a file or to stdout, fails the run.
TEST_F(Cli, OutputGoesWhereThePathLeadsAndAFailedWriteFails) {
  std::string leads = dir_.Write("leads.csv", "lead_id,size,industry\na,50,IT\n");
  const std::vector<std::string> score = {"score", "--model", model_,      "--leads",
                                          leads,   "--as-of", "2024-02-01"};
  auto run = [&](const std::vector<std::string>& extra) {
    return RunLeadscore(Joined(score, extra));
  };
  const std::string expected = "lead_id,score,fit,engagement,grade,stage\na,35.00,35.00,0.00,A,\n";

  dir_.Write("target.csv", "old\n");
  std::filesystem::create_symlink("target.csv", dir_.File("link.csv"));
  auto linked = run({"--output", dir_.File("link.csv")});
  ASSERT_EQ(linked.exit_code, 0) << linked.err;
  EXPECT_TRUE(std::filesystem::is_symlink(dir_.File("link.csv")));
  EXPECT_EQ(dir_.Read("target.csv"), expected);

  std::filesystem::create_symlink("not-yet.csv", dir_.File("dangling.csv"));
  ASSERT_EQ(run({"--output", dir_.File("dangling.csv")}).exit_code, 0);
  EXPECT_TRUE(std::filesystem::is_symlink(dir_.File("dangling.csv")));
  EXPECT_EQ(dir_.Read("not-yet.csv"), expected);

  const std::string private_file = dir_.Write("private.csv", "old\n");
  ASSERT_EQ(::chmod(private_file.c_str(), 0600), 0);
  ASSERT_EQ(run({"--output", private_file}).exit_code, 0);
  struct stat st;
  ASSERT_EQ(::stat(private_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(dir_.Read("private.csv"), expected);

  // The FIFO is open for reading before the run, so that the run's open for writing does not
  // wait, and a run that replaced the FIFO rather than writing into it leaves it empty rather
  // than hanging the test. The output is far smaller than a pipe's buffer.
  const std::string fifo = dir_.File("out.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int fifo_fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fifo_fd, 0);
  auto fifo_run = run({"--output", fifo});
  ASSERT_EQ(fifo_run.exit_code, 0) << fifo_run.err;
  std::string read_back(4096, '\0');
  const ssize_t got = ::read(fifo_fd, read_back.data(), read_back.size());
  ::close(fifo_fd);
  read_back.resize(got > 0 ? static_cast<size_t>(got) : 0);
  EXPECT_EQ(read_back, expected);
  ASSERT_EQ(::stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced by a file";

  // /dev/full through a link of ours, so that a regression replaces the link, not the device.
  std::filesystem::create_symlink("/dev/full", dir_.File("full.csv"));
  auto full = run({"--output", dir_.File("full.csv")});
  EXPECT_EQ(full.exit_code, 1) << full.err;
  EXPECT_NE(full.err.find("full.csv: No space left on device"), std::string::npos) << full.err;
  EXPECT_TRUE(std::filesystem::is_symlink(dir_.File("full.csv")));

  // Standard output on a full device: the small output sits in stdio's buffer until the flush.
  const std::string command = std::string(LEADSCORE_BINARY) + " score --model " + model_ +
                              " --leads " + leads + " --as-of 2024-02-01 > /dev/full 2> " +
                              dir_.File("stderr.txt");
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(dir_.Read("stderr.txt").find("cannot write standard output"), std::string::npos)
      << dir_.Read("stderr.txt");
}

TEST_F(Cli, OptionsThatWouldLoseOrHideOutputAreUsageErrors) {
  std::string leads = dir_.Write("leads.csv", "lead_id,size,industry,email\na,50,IT,x@acme.com\n");
  auto same =
      RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", "2024-02-01",
                    "--output", dir_.File("out.csv"), "--accounts", dir_.path() + "/./out.csv"});
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_NE(same.err.find("--accounts and --output name the same file"), std::string::npos)
      << same.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("out.csv")));

  // A .gz output would be plain text under a name that says otherwise, in any case.
  for (const char* name : {"out.csv.gz", "OUT.CSV.GZ"}) {
    auto gz = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", "2024-02-01",
                            "--output", dir_.File(name)});
    EXPECT_EQ(gz.exit_code, 2) << name;
    EXPECT_NE(gz.err.find("would not be compressed"), std::string::npos) << gz.err;
    EXPECT_FALSE(std::filesystem::exists(dir_.File(name)));
  }

  // An empty --as-of (an unset shell variable) is not "now".
  auto empty = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", ""});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("--as-of: must not be empty"), std::string::npos) << empty.err;
  EXPECT_TRUE(empty.out.empty());
}

// An output that names an input or another output is a usage error before anything is read or
// written. --errors was opened before the inputs were read, so `--errors events.jsonl` emptied the
// events and the run scored without them (exit 0); --output and --accounts replaced an input they
// named after the run.
TEST_F(Cli, AnErrorsFileNamingAnInputIsRefusedAndTheInputKept) {
  std::string leads = dir_.Write("leads.csv", "lead_id,size,industry\na,50,IT\n");
  const std::string events_text =
      R"({"lead_id":"a","type":"demo","ts":"2024-01-01T00:00:00Z"}
{"lead_id":"a","type":"demo","ts":"not a time"}
)";
  std::string events = dir_.Write("events.jsonl", events_text);
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--events", events,
                         "--as-of", "2024-02-01", "--errors", events});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(dir_.Read("events.jsonl"), events_text);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(r.err, "score: --errors and --events name the same file, " + events +
                       "; nothing was read or written\n");

  // --strict with the bad rows' own file as --errors: no longer an empty input that passes.
  auto strict = RunLeadscore({"score", "--model", model_, "--events", events, "--as-of",
                              "2024-02-01", "--strict", "--errors", events});
  EXPECT_EQ(strict.exit_code, 2) << strict.err;
  EXPECT_EQ(dir_.Read("events.jsonl"), events_text);

  auto on_model = RunLeadscore(
      {"score", "--model", model_, "--leads", leads, "--as-of", "2024-02-01", "--errors", model_});
  EXPECT_EQ(on_model.exit_code, 2) << on_model.err;
  EXPECT_NE(on_model.err.find("--errors and --model name the same file"), std::string::npos)
      << on_model.err;
  EXPECT_EQ(dir_.Read("model.yaml"), kModel);
}

TEST_F(Cli, AnOutputNamingAnInputIsRefusedAndTheInputKept) {
  const std::string leads_text = "lead_id,size,industry,email\na,50,IT,x@acme.com\n";
  std::string leads = dir_.Write("leads.csv", leads_text);
  const std::string events_text = R"({"lead_id":"a","type":"demo","ts":"2024-01-01"})"
                                  "\n";
  std::string events = dir_.Write("events.jsonl", events_text);
  const std::vector<std::string> score = {"score",    "--model", model_,    "--leads",   leads,
                                          "--events", events,    "--as-of", "2024-02-01"};
  auto run = [&](const std::vector<std::string>& extra) {
    return RunLeadscore(Joined(score, extra));
  };
  auto output = run({"--output", leads});
  EXPECT_EQ(output.exit_code, 2) << output.err;
  EXPECT_EQ(output.err, "score: --output and --leads name the same file, " + leads +
                            "; nothing was read or written\n");
  auto accounts = run({"--accounts", dir_.path() + "/../" +
                                         std::filesystem::path(dir_.path()).filename().string() +
                                         "/events.jsonl"});
  EXPECT_EQ(accounts.exit_code, 2) << accounts.err;
  EXPECT_NE(accounts.err.find("score: --accounts and --events name the same file, " + events),
            std::string::npos)
      << accounts.err;
  auto model = run({"--output", "-", "--accounts", model_});
  EXPECT_EQ(model.exit_code, 2) << model.err;
  EXPECT_NE(model.err.find("--accounts and --model name the same file"), std::string::npos)
      << model.err;
  EXPECT_EQ(dir_.Read("leads.csv"), leads_text);
  EXPECT_EQ(dir_.Read("events.jsonl"), events_text);
  EXPECT_EQ(dir_.Read("model.yaml"), kModel);

  // Standard output is no file, and other files are written as before.
  auto fine = run(
      {"--output", "-", "--accounts", dir_.File("acc.csv"), "--errors", dir_.File("errors.txt")});
  EXPECT_EQ(fine.exit_code, 0) << fine.err;
  EXPECT_EQ(fine.out, "lead_id,score,fit,engagement,grade,stage\na,65.00,35.00,30.00,A,MQL\n");
}

// weakly_canonical leaves a relative path that does not exist as it is, so two spellings of a file
// not yet written were two files, and the second write replaced the first.
TEST_F(Cli, OutputsSpelledDifferentlyAreOneFile) {
  std::string leads = dir_.Write("leads.csv", "lead_id,size,industry,email\na,50,IT,x@acme.com\n");
  const std::vector<std::string> score = {"score", "--model", model_,      "--leads",
                                          leads,   "--as-of", "2024-02-01"};
  auto run_in_dir = [&](const std::vector<std::string>& extra) {
    return testutil::RunLeadscoreIn(dir_.path(), Joined(score, extra));
  };
  auto absolute = run_in_dir({"--output", dir_.File("same.csv"), "--accounts", "same.csv"});
  EXPECT_EQ(absolute.exit_code, 2) << absolute.err;
  EXPECT_EQ(absolute.err, "score: --accounts and --output name the same file, " +
                              dir_.File("same.csv") +
                              " (given to --accounts as same.csv); nothing was read or written\n");
  auto dotted = run_in_dir({"--output", "./x.csv", "--accounts", "x.csv"});
  EXPECT_EQ(dotted.exit_code, 2) << dotted.err;
  EXPECT_NE(dotted.err.find("--accounts and --output name the same file"), std::string::npos)
      << dotted.err;
  auto errors = run_in_dir({"--output", "x.csv", "--errors", "./x.csv"});
  EXPECT_EQ(errors.exit_code, 2) << errors.err;
  EXPECT_NE(errors.err.find("--errors and --output name the same file"), std::string::npos)
      << errors.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("same.csv")));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("x.csv")));
}

// A link is the file it leads to: a symbolic link (the output is written through it), a hard
// link, and a dangling link beside the file it will create.
TEST_F(Cli, ALinkToAnInputOrAnOutputIsThatFile) {
  const std::string leads_text = "lead_id,size,industry\na,50,IT\n";
  std::string leads = dir_.Write("leads.csv", leads_text);
  std::filesystem::create_symlink("leads.csv", dir_.File("soft.csv"));
  std::filesystem::create_hard_link(leads, dir_.File("hard.csv"));
  std::filesystem::create_symlink("later.csv", dir_.File("dangling.csv"));
  const std::vector<std::string> score = {"score", "--model", model_,      "--leads",
                                          leads,   "--as-of", "2024-02-01"};
  auto run = [&](const std::vector<std::string>& extra) {
    return RunLeadscore(Joined(score, extra));
  };
  auto soft = run({"--output", dir_.File("soft.csv")});
  EXPECT_EQ(soft.exit_code, 2) << soft.err;
  EXPECT_EQ(soft.err, "score: --output and --leads name the same file, " + leads +
                          " (given to --output as " + dir_.File("soft.csv") +
                          "); nothing was read or written\n");
  auto hard = run({"--errors", dir_.File("hard.csv")});
  EXPECT_EQ(hard.exit_code, 2) << hard.err;
  EXPECT_NE(hard.err.find("--errors and --leads name the same file"), std::string::npos)
      << hard.err;
  auto dangling = run({"--output", dir_.File("later.csv"), "--errors", dir_.File("dangling.csv")});
  EXPECT_EQ(dangling.exit_code, 2) << dangling.err;
  EXPECT_NE(dangling.err.find("--errors and --output name the same file"), std::string::npos)
      << dangling.err;
  EXPECT_EQ(dir_.Read("leads.csv"), leads_text);
  EXPECT_TRUE(std::filesystem::is_symlink(dir_.File("soft.csv")));
  EXPECT_FALSE(std::filesystem::exists(dir_.File("later.csv")));

  // Devices are not files whose contents a run could lose.
  auto devices = run({"--output", "/dev/null", "--accounts", "/dev/null"});
  EXPECT_EQ(devices.exit_code, 0) << devices.err;
}

// The other commands that write a file refuse one that names their input, before reading it.
TEST_F(Cli, EveryCommandRefusesAnOutputNamingAnInput) {
  const std::string text = "lead_id,score,grade,stage\n123,50.00,A,MQL\n";
  std::string file = dir_.Write("file.csv", text);
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"crm", "import", "--preset", "hubspot", "--in", file, "--out", file},
       "crm import: --out and --in name the same file, "},
      {{"crm", "export", "--preset", "hubspot", "--scores", file, "--out", file},
       "crm export: --out and --scores name the same file, "},
      {{"predict", "--model", dir_.File("trees.json"), "--leads", file, "--output", file},
       "predict: --output and --leads name the same file, "},
      {{"train", "--table", file, "--label", "grade", "--positive", "A", "--out", file},
       "train: --out and --table name the same file, "},
      {{"train", "--db", file, "--out", file}, "train: --out and --db name the same file, "},
      {{"ingest", "--db", file, "--leads", file}, "ingest: --db and --leads name the same file, "},
  };
  for (const Case& c : cases) {
    auto r = RunLeadscore(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << ": " << r.err;
    EXPECT_EQ(r.err, c.message + file + "; nothing was read or written\n");
    EXPECT_EQ(dir_.Read("file.csv"), text) << c.args[0] << " " << c.args[1];
  }
}

// A JSON object is read through its dotted keys; the key holding it has no value of its own
// (as after JSON.parse and a flattening), while an array keeps its JSON text.
TEST_F(Cli, AKeyHoldingAnObjectHasNoValueOfItsOwn) {
  std::string model = dir_.Write("objects.yaml", R"(version: 1
name: objects
fields:
  company: string
fit:
  rules:
    - {id: has_company, when: exists(company), points: 1}
    - {id: company_name, when: company.name == "Acme", points: 2}
engagement:
  rules:
    - {id: has_utm, event: visit, when: exists(utm), points: 10}
    - {id: newsletter, event: visit, when: utm.source == "newsletter", points: 20}
    - {id: tags, event: visit, when: 'contains(tags, "b")', points: 40}
)");
  std::string leads = dir_.Write("leads.jsonl", R"({"lead_id":"a","company":{"name":"Acme"}}
{"lead_id":"b","company":"Acme"}
)");
  std::string events =
      dir_.Write("events.jsonl",
                 R"({"lead_id":"a","type":"visit","ts":"2024-01-01","utm":{"source":"newsletter"}}
{"lead_id":"b","type":"visit","ts":"2024-01-01","utm":"x","tags":["a","b"]}
)");
  auto r = RunLeadscore({"score", "--model", model, "--leads", leads, "--events", events, "--as-of",
                         "2024-01-01", "--explain", "--strict"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage,reasons\n"
            "b,51.00,1.00,50.00,,,tags:40.00;has_utm:10.00;has_company:1.00\n"
            "a,22.00,2.00,20.00,,,newsletter:20.00;company_name:2.00\n");
}

// A JSON integer of 2^53 or more is an id as written: a double would round two of them alike.
TEST_F(Cli, LongIntegerIdsAreReadAsWritten) {
  std::string model = dir_.Write("ids.yaml", R"(version: 1
name: ids
engagement:
  rules:
    - {id: visit, event: visit, points: 1}
    - {id: big, event: visit, when: amount > 1e22, points: 10}
)");
  std::string events = dir_.Write(
      "events.jsonl",
      R"({"lead_id":9007199254740993,"type":"visit","ts":"2024-01-01","event_id":12345678901234567890123}
{"lead_id":9007199254740992,"type":"visit","ts":"2024-01-01","event_id":12345678901234567890124}
{"lead_id":9007199254740992,"type":"visit","ts":"2024-01-01","event_id":12345678901234567890124}
{"lead_id":-90071992547409930,"type":"visit","ts":"2024-01-01","amount":12345678901234567890123}
)");
  auto r = RunLeadscore(
      {"score", "--model", model, "--events", events, "--as-of", "2024-01-01", "--strict"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "-90071992547409930,11.00,0.00,11.00,,\n"
            "9007199254740992,1.00,0.00,1.00,,\n"
            "9007199254740993,1.00,0.00,1.00,,\n");
  EXPECT_NE(r.err.find("1 duplicate"), std::string::npos) << r.err;
}

// A duplicate event is ignored whole: the lead it names is not listed for it (docs/model-file.md).
TEST_F(Cli, ALeadNamedOnlyByADuplicateEventIsNotListed) {
  std::string events = dir_.Write("events.jsonl",
                                  R"({"lead_id":"a","type":"demo","ts":"2024-01-01","event_id":"e1"}
{"lead_id":"c","type":"demo","ts":"2024-01-02","event_id":"e1"}
{"lead_id":"d","type":"demo","ts":"2024-03-01","event_id":"e2"}
)");
  auto r = RunLeadscore({"score", "--model", model_, "--events", events, "--as-of", "2024-02-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "a,30.00,0.00,30.00,,\n"
            "d,0.00,0.00,0.00,,\n");
}

// stderr shows the first 50 problems; --errors FILE has every one, so that none is lost.
TEST_F(Cli, ErrorsFileHoldsEveryProblem) {
  std::string csv = "lead_id,size,industry\n";
  for (int i = 0; i < 60; ++i) csv += "x" + std::to_string(i) + ",1,2,3\n";
  csv += "ok,50,IT\n";
  std::string leads = dir_.Write("leads.csv", csv);
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", "2024-01-01",
                         "--errors", dir_.File("errors.txt")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "lead_id,score,fit,engagement,grade,stage\nok,35.00,35.00,0.00,A,\n");
  auto all = Lines(dir_.Read("errors.txt"));
  ASSERT_EQ(all.size(), 60u);
  EXPECT_EQ(all.front(), leads + ":2: expected 3 cells, found 4; row skipped");
  EXPECT_EQ(all.back(), leads + ":61: expected 3 cells, found 4; row skipped");
  EXPECT_NE(r.err.find("... and 10 more problems not shown here (every one is in " +
                       dir_.File("errors.txt") + ")"),
            std::string::npos)
      << r.err;
  // 50, the "more" line, summary, the warning that the file has no `email`, timing
  EXPECT_EQ(Lines(r.err).size(), 54u) << r.err;

  auto unwritable = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of",
                                  "2024-01-01", "--errors", dir_.File("no/such/dir.txt")});
  EXPECT_EQ(unwritable.exit_code, 2);  // as for an --output that cannot be created
  EXPECT_TRUE(unwritable.out.empty());

  // `-`: every one on stderr, and no file named `-`.
  auto to_stderr = testutil::RunLeadscoreIn(
      dir_.path(),
      {"score", "--model", model_, "--leads", leads, "--as-of", "2024-01-01", "--errors", "-"});
  ASSERT_EQ(to_stderr.exit_code, 0) << to_stderr.err;
  // 60, summary, the warning that the file has no `email`, timing
  EXPECT_EQ(Lines(to_stderr.err).size(), 63u) << to_stderr.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("-")));
}

// Files of many blocks dense with problems: the run that shows 50 counts every other one as
// the run that writes them all does (skipped rows, values not converted, the "more" line),
// and shows the same first 50. (It holds no more than those 50 of each block in memory.)
TEST_F(Cli, ManyProblemsAreCountedAsThoseWrittenInFull) {
  std::string leads = "lead_id,size,industry,email\n";
  std::string events;
  for (int i = 0; leads.size() < (10u << 20); ++i) {
    const std::string id = "L" + std::to_string(i);
    switch (i % 4) {
      case 0:
        leads += id + ",1,2\n";
        break;  // a cell short: skipped
      case 1:
        leads += id + ",many,IT,a@b.c\n";
        break;  // size does not convert
      case 2:
        leads += "L1,lots,IT,a@b.c\n";
        break;  // a repeated id: its value not counted
      default:
        leads += id + ",50,IT,a@b.c\n";
        break;
    }
    events += i % 3 == 0 ? "1\n"
                         : R"({"lead_id":")" + id + R"(","type":"demo","ts":"2024-01-0)" +
                               (i % 3 == 1 ? "1" : "x") + "\"}\n";
  }
  const std::string leads_path = dir_.Write("dense-leads.csv", leads);
  const std::string events_path = dir_.Write("dense-events.jsonl", events);
  const std::vector<std::string> args = {
      "score",     "--model", model_,       "--leads",  leads_path,          "--events",
      events_path, "--as-of", "2024-02-01", "--output", dir_.File("out.csv")};
  auto shown = RunLeadscore(args);
  std::vector<std::string> with_all = args;
  with_all.insert(with_all.end(), {"--errors", "-"});
  auto all = RunLeadscore(with_all);
  ASSERT_EQ(shown.exit_code, 0) << shown.err.substr(0, 2000);
  ASSERT_EQ(all.exit_code, 0) << all.err.substr(0, 2000);
  const std::vector<std::string> shown_lines = Lines(shown.err);
  const std::vector<std::string> all_lines = Lines(all.err);
  ASSERT_GT(shown_lines.size(), 51u);
  size_t problems = 0;
  for (const std::string& line : all_lines) {  // "path:LINE: ...", not the summaries
    for (const std::string& path : {leads_path, events_path}) {
      problems += line.starts_with(path + ":") && std::isdigit(line[path.size() + 1]);
    }
  }
  ASSERT_GT(problems, 100000u);
  // The first 50 alike; then the count of the rest.
  for (size_t i = 0; i < 50; ++i) EXPECT_EQ(shown_lines[i], all_lines[i]) << i;
  EXPECT_EQ(shown_lines[50], "... and " + std::to_string(problems - 50) +
                                 " more problems not shown (--errors FILE writes every one)");
  // The summaries alike, their counts of rows and values included.
  auto summary = [&](const std::vector<std::string>& lines, const std::string& path) {
    for (const std::string& line : lines) {
      if (line.starts_with(path + ": ") && line.find(" rows read") != std::string::npos) {
        return line;
      }
    }
    return std::string("(none)");
  };
  for (const std::string& path : {leads_path, events_path}) {
    EXPECT_EQ(summary(shown_lines, path), summary(all_lines, path));
    EXPECT_NE(summary(shown_lines, path), "(none)") << shown.err.substr(0, 4000);
  }
  EXPECT_NE(summary(shown_lines, leads_path).find(" not converted"), std::string::npos)
      << summary(shown_lines, leads_path);
}

// A stray CSV quote that takes lines into one cell is read as Python's csv reads it, but said:
// in the leads file and in the events file, and --strict fails on it.
TEST_F(Cli, AStrayCsvQuoteIsReportedWithTheLinesItTook) {
  std::string leads = dir_.Write("leads.csv",
                                 "lead_id,size,industry\n"
                                 "a,50,\"IT\n"
                                 "b,50,Retail\n"
                                 "c,50,\"x\"\n"
                                 "d,50,IT\n");
  std::string events = dir_.Write("events.csv",
                                  "lead_id,type,ts,note\n"
                                  "d,page_view,2024-01-01,\"a\n"
                                  "d,demo,2024-01-02,\"b\"\n"
                                  "d,page_view,2024-01-03,\n");
  std::vector<std::string> args = {"score",    "--model", model_,    "--leads",   leads,
                                   "--events", events,    "--as-of", "2024-02-01"};
  auto r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // a's industry is "IT\nb,50,Retail\nc,50,x\"": not IT; b and c are not leads. d's demo went
  // into the note of its first page view.
  EXPECT_EQ(r.out,
            "lead_id,score,fit,engagement,grade,stage\n"
            "d,45.00,35.00,10.00,A,\n"
            "a,20.00,20.00,0.00,,\n");
  EXPECT_NE(r.err.find(leads + ":2: field `industry`: a quoted cell runs over lines 2-4 and has "
                               "text after its closing quote (a stray quote?): lines 3-4 were "
                               "read into it"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(events + ":2: field `note`: a quoted cell runs over lines 2-3 and has "
                                "text after its closing quote (a stray quote?): line 3 was read "
                                "into it"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(leads + ": 2 rows read, 2 used, 0 skipped, 0 duplicates, 1 row read "
                               "with a warning"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(events + ": 2 rows read, 2 used, 0 skipped, 0 duplicates, 1 row read "
                                "with a warning"),
            std::string::npos)
      << r.err;

  args.push_back("--strict");
  auto strict = RunLeadscore(args);
  EXPECT_EQ(strict.exit_code, 3) << strict.err;
  EXPECT_TRUE(strict.out.empty());
}

// Messages that cannot be written lose nothing else: stderr on a full device still gives the
// scores and exit 0; an --errors file on one gives the scores and exit 1. (fmt::print threw on
// the failed write, and the run aborted with no output.)
TEST_F(Cli, AFullDiskForMessagesLosesNoScores) {
  std::string csv = "lead_id,size,industry\n";
  for (int i = 0; i < 2000; ++i) csv += "x" + std::to_string(i) + ",big,IT\n";
  std::string leads = dir_.Write("leads.csv", csv);
  const std::string command = std::string(LEADSCORE_BINARY) + " score --model " + model_ +
                              " --leads " + leads + " --as-of 2024-02-01 --output " +
                              dir_.File("out.csv") + " 2> /dev/full";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(Lines(dir_.Read("out.csv")).size(), 2001u);

  std::filesystem::create_symlink("/dev/full", dir_.File("errors.txt"));
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", "2024-02-01",
                         "--errors", dir_.File("errors.txt")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 2001u);
  EXPECT_NE(
      r.err.find("--errors: cannot write " + dir_.File("errors.txt") + ": No space left on device"),
      std::string::npos)
      << r.err;
  EXPECT_NE(
      r.err.find("the scores were written, but not " + dir_.File("errors.txt") + " (see above)"),
      std::string::npos)
      << r.err;

  // Any command's standard output lost to a full device fails the command.
  const int check = std::system((std::string(LEADSCORE_BINARY) + " check " + model_ +
                                 " > /dev/full 2> " + dir_.File("check.txt"))
                                    .c_str());
  ASSERT_TRUE(WIFEXITED(check));
  EXPECT_EQ(WEXITSTATUS(check), 1);
  EXPECT_EQ(dir_.Read("check.txt"),
            "leadscore: cannot write standard output: No space left on device\n");
}

// score writes its scores and its accounts before either replaces its file: when the accounts
// cannot be written, the scores file of the previous run stays, and the message names the file
// that failed and why.
TEST_F(Cli, ScoresAreNotReplacedWhenTheAccountsCannotBeWritten) {
  const std::string leads = dir_.Write("leads.csv",
                                       "lead_id,size,industry,email\n"
                                       "a,50,IT,x@acme.com\nb,500,IT,y@acme.com\n");
  const std::string scores = dir_.Write("scores.csv", "the previous run\n");
  std::filesystem::create_symlink("/dev/full", dir_.File("accounts.csv"));
  auto r = RunLeadscore({"score", "--model", model_, "--leads", leads, "--as-of", "2024-02-01",
                         "-o", scores, "--accounts", dir_.File("accounts.csv")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("score: cannot write " + dir_.File("accounts.csv") +
                       ": No space left on device\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(dir_.Read("scores.csv"), "the previous run\n");
  EXPECT_EQ(FilesStartingWith(dir_.path(), "scores.csv"), std::vector<std::string>{"scores.csv"});

  // The scores alone, too large for the disk: the same, with the scores file named.
  std::string many = "lead_id,size,industry,email\n";
  for (int i = 0; i < 2000; ++i) many += "x" + std::to_string(i) + ",50,IT,x@acme.com\n";
  r = testutil::RunLeadscoreWithFileSizeLimit(
      {"score", "--model", model_, "--leads", dir_.Write("many.csv", many), "--as-of", "2024-02-01",
       "-o", scores},
      40000);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("score: cannot write " + scores + ": File too large\n"), std::string::npos)
      << r.err;
  EXPECT_EQ(dir_.Read("scores.csv"), "the previous run\n");
  EXPECT_EQ(FilesStartingWith(dir_.path(), "scores.csv"), std::vector<std::string>{"scores.csv"});
}

// generate writes each file whole or not at all: a disk that fills up leaves no truncated
// leads file that a later run would read as a smaller valid one.
TEST_F(Cli, GenerateLeavesNoTruncatedFile) {
  const std::string data = dir_.File("data");
  auto r = testutil::RunLeadscoreWithFileSizeLimit(
      {"generate", "--out", data, "--leads", "2000", "--months", "3"}, 30000);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot write " + data + "/leads.csv: File too large"), std::string::npos)
      << r.err;
  EXPECT_EQ(FilesStartingWith(data, ""), std::vector<std::string>{});
}

// generate's three files are put in place together: a run that fills the disk while writing the
// events leaves the earlier run's leads, not new leads beside old events.
TEST_F(Cli, GenerateReplacesItsFilesTogetherOrNotAtAll) {
  const std::string data = dir_.File("data");
  auto first = RunLeadscore({"generate", "--out", data, "--leads", "500", "--seed", "1"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto read = [&](const std::string& name) {
    std::ifstream in(data + "/" + name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string leads = read("leads.csv"), events = read("events.jsonl");
  ASSERT_LT(leads.size(), 200000u);
  ASSERT_GT(events.size(), 200000u);
  auto r = testutil::RunLeadscoreWithFileSizeLimit(
      {"generate", "--out", data, "--leads", "500", "--seed", "2"}, 200000);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot write " + data + "/events.jsonl: File too large"), std::string::npos)
      << r.err;
  EXPECT_EQ(read("leads.csv"), leads);
  EXPECT_EQ(read("events.jsonl"), events);
  EXPECT_EQ(FilesStartingWith(data, ""),
            (std::vector<std::string>{"events.jsonl", "leads.csv", "outcomes.csv"}));
}

// generate writes through a link in its directory to the linked file (the link stays), and
// leaves alone a file of the user's that sits where a temporary name might be.
TEST_F(Cli, GenerateWritesThroughLinksAndLeavesOtherFilesAlone) {
  const std::string data = dir_.File("data");
  std::filesystem::create_directory(data);
  const std::string target = dir_.Write("kept-leads.csv", "old\n");
  std::filesystem::create_symlink(target, data + "/leads.csv");
  std::ofstream(data + "/events.jsonl.tmp") << "my notes\n";
  auto r = RunLeadscore({"generate", "--out", data, "--leads", "50", "--months", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(data + "/leads.csv"));
  EXPECT_EQ(dir_.Read("kept-leads.csv").rfind("lead_id,", 0), 0u);
  std::ifstream notes(data + "/events.jsonl.tmp");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(notes), {}), "my notes\n");
}

}  // namespace
}  // namespace leadscore
