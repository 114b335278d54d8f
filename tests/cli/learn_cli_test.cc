// `leadscore train` and `leadscore evaluate` in table mode, run as a user runs them on a
// generated table whose signal is known: the JSON a script reads, the folds file that lines up
// with another tool's splits, the scorecard written as a model file that `leadscore score`
// runs with the trained model's ranking, and clear errors on bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/learn_cli_util.h"
#include "testutil/cli_runner.h"

namespace leadscore {
namespace {

using testutil::FilesStartingWith;
using testutil::Lines;
using testutil::RunLeadscore;
using testutil::TempDir;

// "L17": a prefix and a number (built so that GCC 12 sees no overlapping copy in it).
std::string IdOf(char prefix, int i) {
  std::string id(1, prefix);
  id += std::to_string(i);
  return id;
}

// 3000 leads: visits and source drive conversion, `industry` a little, `tag` is written by
// sales after the fact (dropped), `Select` is the form's placeholder for "no answer".
struct Table {
  std::string csv;
  std::map<std::string, int> label;  // lead_id -> 0/1
};

Table MakeTable(int n = 3000) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(0, 1);
  const char* sources[] = {"Google", "Referral", "Olark Chat", "Select"};
  const double source_w[] = {0.0, 1.2, -0.8, -0.3};
  const char* industries[] = {"IT", "Retail", "Finance"};
  Table t;
  t.csv = "lead_id,visits,Lead Source,industry,tag,converted\n";
  for (int i = 0; i < n; ++i) {
    const int visits = static_cast<int>(unit(rng) * 12);
    const int s = static_cast<int>(rng() % 4);
    const int ind = static_cast<int>(rng() % 3);
    const double z = -2.2 + 0.3 * visits + source_w[s] + (ind == 0 ? 0.4 : 0.0);
    const int y = unit(rng) < 1 / (1 + std::exp(-z)) ? 1 : 0;
    const std::string id = IdOf('L', i);
    t.label[id] = y;
    t.csv += id + "," + (i % 17 == 0 ? "" : std::to_string(visits)) + "," + sources[s] + "," +
             industries[ind] + "," + (y ? "Closed" : "Lost") + "," + std::to_string(y) + "\n";
  }
  return t;
}

class LearnCli : public testing::Test {
 protected:
  void SetUp() override {
    table_ = MakeTable();
    path_ = dir_.Write("leads.csv", table_.csv);
  }
  std::vector<std::string> TableArgs(const std::string& command) const {
    return {command, "--table", path_,         "--label",   "converted", "--positive",
            "1",     "--drop",  "lead_id,tag", "--missing", "select"};
  }

  // `leadscore evaluate` of these files (written as NAME-leads.csv, ...) with --reference
  // first:MQL under `stages_yaml`, a 3-fold scorecard, and `more` flags.
  testutil::RunResult EvaluateFromFirstMql(const std::string& name, const std::string& leads,
                                           const std::string& events, const std::string& outcomes,
                                           const std::string& stages_yaml,
                                           const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"evaluate",
                                     "--leads",
                                     dir_.Write(name + "-leads.csv", leads),
                                     "--events",
                                     dir_.Write(name + "-events.jsonl", events),
                                     "--outcomes",
                                     dir_.Write(name + "-outcomes.csv", outcomes),
                                     "--reference",
                                     "first:MQL",
                                     "--stages-model",
                                     dir_.Write(name + "-stages.yaml", stages_yaml),
                                     "--folds",
                                     "3",
                                     "--kind",
                                     "scorecard"};
    args.insert(args.end(), more.begin(), more.end());
    return RunLeadscore(args);
  }

  TempDir dir_;
  Table table_;
  std::string path_;
};

// A category padded with blanks in the file (" IT ") is learned as written, as `score` reads a
// string attribute: the written scorecard's rules match the same file's leads there, rather
// than every lead getting the same score.
TEST_F(LearnCli, AScorecardMatchesCategoriesAsTheFileWritesThem) {
  std::string csv = "lead_id,industry,converted\n";
  for (int i = 0; i < 200; ++i) {
    const bool it = i % 2 == 0;
    const bool converted = it ? i % 10 != 0 : i % 10 == 1;
    csv += "L" + std::to_string(i) + "," + (it ? " IT " : " Retail ") + "," +
           (converted ? "1" : "0") + "\n";
  }
  const std::string table = dir_.Write("padded.csv", csv);
  const std::string model = dir_.File("padded.yaml");
  auto trained = RunLeadscore({"train", "--table", table, "--label", "converted", "--positive", "1",
                               "--drop", "lead_id", "--kind", "scorecard", "--out", model});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  auto scored =
      RunLeadscore({"score", "--model", model, "--leads", table, "--as-of", "2026-01-01"});
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  std::set<std::string> it_scores, retail_scores;
  std::istringstream rows(scored.out);
  std::string row;
  std::getline(rows, row);  // header
  while (std::getline(rows, row)) {
    const size_t comma = row.find(',');
    const int id = std::stoi(row.substr(1, comma - 1));
    (id % 2 == 0 ? it_scores : retail_scores)
        .insert(row.substr(comma + 1, row.find(',', comma + 1) - comma - 1));
  }
  ASSERT_EQ(it_scores.size(), 1u) << scored.out;
  ASSERT_EQ(retail_scores.size(), 1u) << scored.out;
  EXPECT_GT(std::stod(*it_scores.begin()), std::stod(*retail_scores.begin())) << scored.out;
}

// A column written after the fact (`tag`: Closed or Lost) ranks the rows alone: train and
// evaluate say so, naming the --drop that leaves it out. The columns known before the sale
// get no such warning.
TEST_F(LearnCli, AColumnThatAloneRanksTheRowsIsPointedAtAsALeak) {
  for (const char* command : {"evaluate", "train"}) {
    SCOPED_TRACE(command);
    std::vector<std::string> args = {command,     "--table",    path_,   "--label",
                                     "converted", "--positive", "1",     "--drop",
                                     "lead_id",   "--missing",  "select"};
    if (std::string(command) == "evaluate") args.insert(args.end(), {"--folds", "3"});
    if (std::string(command) == "train") {
      args.insert(args.end(), {"--kind", "scorecard", "--out", dir_.File("leaky.yaml")});
    }
    auto r = RunLeadscore(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find(path_ + ": the column \"tag\" alone ranks the rows with AUC 1.00 (out "
                                 "of fold)"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("leave it out: --drop \"tag\""), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("the column \"visits\" alone"), std::string::npos) << r.err;
  }
  auto clean = RunLeadscore(TableArgs("evaluate"));
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(clean.err.find("alone ranks the rows"), std::string::npos) << clean.err;
  for (const char* column : {"visits", "Lead Source", "industry"}) {  // nor a word of them
    EXPECT_EQ(clean.err.find(column), std::string::npos) << clean.err;
  }
}

TEST_F(LearnCli, EvaluateJsonComparesBothLearnersOnTheSameFolds) {
  auto args = TableArgs("evaluate");
  args.insert(args.end(), {"--folds", "3", "--format", "json"});
  auto r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["rows"], 3000);
  EXPECT_EQ(j["folds"], 3);
  ASSERT_EQ(j["models"].size(), 3u);
  EXPECT_EQ(j["models"][0]["name"], "scorecard");
  EXPECT_EQ(j["models"][1]["name"], "trees");
  EXPECT_EQ(j["models"][2]["name"], "blend");
  for (const auto& m : j["models"]) {
    EXPECT_GT(m["auc"].get<double>(), 0.70) << m.dump();
    EXPECT_LT(m["log_loss"].get<double>(), 0.65) << m.dump();
    ASSERT_EQ(m["folds"].size(), 3u);
    double mean = 0;
    uint64_t tested = 0;
    for (const auto& f : m["folds"]) {
      mean += f["auc"].get<double>() / 3;
      tested += f["test_rows"].get<uint64_t>();
    }
    EXPECT_NEAR(m["auc"].get<double>(), mean, 1e-12);
    EXPECT_EQ(tested, 3000u);
    ASSERT_EQ(m["deciles"].size(), 10u);
    EXPECT_GT(m["deciles"][0]["rate"].get<double>(), m["deciles"][9]["rate"].get<double>());
    EXPECT_DOUBLE_EQ(m["deciles"][9]["cumulative_gain"].get<double>(), 1.0);
  }
  // The same command gives the same answer.
  auto again = RunLeadscore(args);
  EXPECT_EQ(nlohmann::json::parse(again.out)["models"][0]["auc"], j["models"][0]["auc"]);
}

// A column name that is not UTF-8 is refused where it is, before any training; a path that is
// not UTF-8 is printed in the JSON report with U+FFFD rather than ending the run.
TEST_F(LearnCli, BytesThatAreNotUtf8AreAnErrorInAHeaderAndReplacedInAPath) {
  std::string latin1 = table_.csv;
  latin1.replace(latin1.find("visits"), 6, "visit\xe9s");
  auto args = TableArgs("train");
  args[2] = dir_.Write("latin1.csv", latin1);
  args.insert(args.end(), {"--kind", "trees", "--out", dir_.File("t.json")});
  auto trained = RunLeadscore(args);
  EXPECT_EQ(trained.exit_code, 1) << trained.err;
  EXPECT_NE(trained.err.find("latin1.csv:1: column 2 of the header is not valid UTF-8"),
            std::string::npos)
      << trained.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("t.json")));

  auto evaluated = TableArgs("evaluate");
  evaluated[2] = dir_.Write("p\xff.csv", table_.csv);
  evaluated.insert(evaluated.end(), {"--folds", "3", "--kind", "scorecard", "--format", "json"});
  auto r = RunLeadscore(evaluated);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(nlohmann::json::parse(r.out).dump().find("p\xef\xbf\xbd.csv"), std::string::npos)
      << r.out;
}

TEST_F(LearnCli, FoldsFileLinesUpWithTheFileRows) {
  // Even file rows in fold 7, odd rows in fold 3: fold 3 first, and named as the file names it.
  std::string folds = "row,fold\n";
  for (int i = 0; i < 3000; ++i) folds += std::to_string(i) + "," + (i % 2 ? "3" : "7") + "\n";
  auto args = TableArgs("evaluate");
  args.insert(args.end(), {"--folds-file", dir_.Write("folds.csv", folds), "--format", "json",
                           "--kind", "scorecard"});
  auto r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["folds"], 2);
  ASSERT_EQ(j["models"].size(), 1u);
  EXPECT_EQ(j["models"][0]["folds"][0]["test_rows"], 1500);
  EXPECT_EQ(j["models"][0]["folds"][0]["fold"], 3);
  EXPECT_EQ(j["models"][0]["folds"][1]["fold"], 7);

  // Fold 0's scorecard figure is that of the file `train` writes from the other fold's rows,
  // scored by `score`: the deployed points, not the model behind them.
  std::istringstream lines(table_.csv);
  std::string line, even, odd;
  std::getline(lines, line);
  even = odd = line + "\n";
  for (int i = 0; std::getline(lines, line); ++i) (i % 2 ? odd : even) += line + "\n";
  auto train = TableArgs("train");
  train[2] = dir_.Write("even.csv", even);
  train.insert(train.end(), {"--kind", "scorecard", "--out", dir_.File("even.yaml")});
  auto trained = RunLeadscore(train);
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  auto scored = RunLeadscore({"score", "--model", dir_.File("even.yaml"), "--leads",
                              dir_.Write("odd.csv", odd), "--as-of", "2025-01-01"});
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  EXPECT_NEAR(PairAuc(ScoresWithLabels(scored.out, table_.label)),
              j["models"][0]["folds"][0]["auc"].get<double>(), 1e-9);

  // A time holdout tests the last quarter of the file once.
  auto holdout = TableArgs("evaluate");
  holdout.insert(holdout.end(),
                 {"--holdout-last", "0.25", "--format", "json", "--kind", "scorecard"});
  r = RunLeadscore(holdout);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto h = nlohmann::json::parse(r.out);
  EXPECT_EQ(h["validation"], "time_holdout");
  EXPECT_EQ(h["folds"], 1);
  ASSERT_EQ(h["models"][0]["folds"].size(), 1u);
  EXPECT_EQ(h["models"][0]["folds"][0]["test_rows"], 750);
  EXPECT_EQ(h["models"][0]["folds"][0]["train_rows"], 2250);

  // A folds file that misses rows is refused with the row named.
  auto bad = TableArgs("evaluate");
  bad.insert(bad.end(), {"--folds-file", dir_.Write("short.csv", "row,fold\n0,0\n1,1\n")});
  r = RunLeadscore(bad);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("data row 2 of the table is in no fold"), std::string::npos) << r.err;

  // A fold written as a decimal that is whole (pandas writes 7.0 for a column that held a NaN)
  // is that fold; one that is not whole is refused.
  std::string decimal_folds = "row,fold\n";
  for (int i = 0; i < 3000; ++i) decimal_folds += std::to_string(i) + (i % 2 ? ",3.0\n" : ",7.0\n");
  auto decimal = TableArgs("evaluate");
  decimal.insert(decimal.end(), {"--folds-file", dir_.Write("decimal.csv", decimal_folds),
                                 "--format", "json", "--kind", "scorecard"});
  r = RunLeadscore(decimal);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto d = nlohmann::json::parse(r.out);
  for (int f = 0; f < 2; ++f) {
    EXPECT_EQ(d["models"][0]["folds"][f]["auc"], j["models"][0]["folds"][f]["auc"]) << f;
  }
  bad = TableArgs("evaluate");
  bad.insert(bad.end(), {"--folds-file", dir_.Write("half.csv", "row,fold\n0,0.5\n1,1\n")});
  r = RunLeadscore(bad);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("half.csv:2: field `fold`: expected an integer"), std::string::npos)
      << r.err;
}

TEST_F(LearnCli, EvaluateTextShowsDecilesAndTheLearningCurve) {
  auto args = TableArgs("evaluate");
  args.insert(args.end(), {"--folds", "3", "--kind", "scorecard", "--learning-curve", "--capacity",
                           "250", "--leads-per-month", "1000"});
  auto r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3-fold cross-validation"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("by decile of predicted probability"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("learning curve"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" 25 % ("), std::string::npos) << r.out;
  // 3,000 rows in 3 folds: each trains on 2,000, and the mean says so (not 3 x 666).
  EXPECT_NE(r.out.find("  100 % (   2000 rows)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MQL threshold for sales capacity of 250 leads a month out of 1000"),
            std::string::npos)
      << r.out;
  // About a quarter of the leads (tied scores are never split, so not exactly).
  const size_t about = r.out.find("% of leads, about ");
  ASSERT_NE(about, std::string::npos) << r.out;
  const int mqls = std::atoi(r.out.c_str() + about + std::strlen("% of leads, about "));
  EXPECT_GE(mqls, 240);
  EXPECT_LE(mqls, 275);
  // Capacity without the monthly volume is a usage error.
  auto usage = TableArgs("evaluate");
  usage.insert(usage.end(), {"--capacity", "250"});
  r = RunLeadscore(usage);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--capacity needs --leads-per-month"), std::string::npos) << r.err;
}

TEST_F(LearnCli, TheRuleModelInUseStandsBesideTheLearners) {
  const std::string rules = dir_.Write("rules.yaml", R"(version: 1
fields: {visits: number}
fit:
  rules:
    - {id: referral, when: '`Lead Source` == "Referral"', points: 50}
    - {id: engaged, when: 'visits >= 6', points: 50}
)");
  auto args = TableArgs("evaluate");
  args.insert(args.end(),
              {"--model", rules, "--folds", "3", "--kind", "scorecard", "--format", "json"});
  auto r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["models"].size(), 2u);
  EXPECT_EQ(j["models"][0]["name"], "rules");
  const double rules_auc = j["models"][0]["auc"].get<double>();
  EXPECT_GT(rules_auc, 0.6);
  // The hand-written rules see two of the signals; the scorecard learns all of them.
  EXPECT_GT(j["models"][1]["auc"].get<double>(), rules_auc);

  // A broken model is reported as `check` reports it, before any training.
  const std::string broken = dir_.Write("broken.yaml", "version: 1\nfit:\n  rules: 3\n");
  auto bad = TableArgs("evaluate");
  bad.insert(bad.end(), {"--model", broken});
  r = RunLeadscore(bad);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("broken.yaml:3:"), std::string::npos) << r.err;
}

TEST_F(LearnCli, WrittenScorecardScoresWithTheTrainedRanking) {
  auto args = TableArgs("train");
  const std::string card = dir_.File("scorecard.yaml");
  args.insert(args.end(), {"--kind", "scorecard", "--out", card, "--name", "web-leads"});
  auto r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto [model_auc, points_auc] = TrainingAucs(r.out);
  ASSERT_GE(points_auc, 0) << r.out;
  EXPECT_GT(model_auc, 0.7);

  // An ordinary model: it checks, and `score` runs it on the same leads.
  const std::string yaml = dir_.Read("scorecard.yaml");
  EXPECT_NE(yaml.find("name: \"web-leads\""), std::string::npos);
  EXPECT_NE(yaml.find("WoE"), std::string::npos);
  EXPECT_NE(yaml.find("when: '`Lead Source` == \"Referral\"'"), std::string::npos) << yaml;
  EXPECT_EQ(yaml.find("tag"), std::string::npos) << "a dropped column reached the model";
  auto check = RunLeadscore({"check", card});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  auto scored = RunLeadscore(
      {"score", "--model", card, "--leads", path_, "--as-of", "2025-01-01", "--format", "csv"});
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  const auto by_lead = ScoresWithLabels(scored.out, table_.label);
  for (const auto& [score, converted] : by_lead) {
    EXPECT_GE(score, 0);
    EXPECT_LE(score, 100);
  }
  ASSERT_EQ(by_lead.size(), 3000u);
  EXPECT_NEAR(PairAuc(by_lead), model_auc, 0.005);
  EXPECT_NEAR(PairAuc(by_lead), points_auc, 1e-4);  // printed with 4 decimals
}

// A number as a placeholder (`pdays` 999: never contacted) is missing in the written scorecard
// as in training: no range rule takes it in, the missing rule does, so `score` ranks the leads
// as train's "written points" AUC says and 999 scores as an empty cell.
TEST_F(LearnCli, ANumericPlaceholderIsMissingInTheWrittenScorecard) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0, 1);
  std::map<std::string, int> label;
  std::string csv = "lead_id,pdays,age,converted\n";
  for (int i = 0; i < 3000; ++i) {
    // Most leads were never contacted; of the others, the recently contacted convert most.
    const bool contacted = unit(rng) < 0.25;
    const int pdays = static_cast<int>(unit(rng) * 21);
    const int age = 20 + static_cast<int>(unit(rng) * 50);
    const double z = -2.5 + (contacted ? 2.0 - 0.05 * pdays : 0) + 0.01 * (age - 45);
    const int y = unit(rng) < 1 / (1 + std::exp(-z)) ? 1 : 0;
    const std::string id = IdOf('L', i);
    label[id] = y;
    // Some cells padded, as a spreadsheet export may write them: training reads them past
    // their blanks, and so must the written file.
    const std::string pad = i % 7 == 0 ? " " : "";
    const std::string pdays_cell =
        pad + (!contacted ? (i % 50 == 0 ? "Unknown" : "999") : std::to_string(pdays)) + pad;
    csv += id + "," + pdays_cell + "," + std::to_string(age) + "," + std::to_string(y) + "\n";
  }
  const std::string table = dir_.Write("bank.csv", csv);
  const std::string card = dir_.File("bank.yaml");
  auto r =
      RunLeadscore({"train", "--table", table, "--label", "converted", "--positive", "1", "--drop",
                    "lead_id", "--missing", "unknown,999", "--kind", "scorecard", "--out", card});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const double points_auc = TrainingAucs(r.out).second;
  EXPECT_GT(points_auc, 0.6) << r.out;
  EXPECT_NE(r.err.find("`pdays` is declared a number, so `score` reads its `unknown` as null"),
            std::string::npos)
      << r.err;
  auto scored = RunLeadscore({"score", "--model", card, "--leads", table, "--as-of", "2025-01-01"});
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  const auto by_lead = ScoresWithLabels(scored.out, label);
  ASSERT_EQ(by_lead.size(), 3000u);
  EXPECT_NEAR(PairAuc(by_lead), points_auc, 1e-4) << dir_.Read("bank.yaml");

  // 999, an empty cell and the placeholder in another case are one and the same: missing, with
  // blanks around them or not; a padded number is the number.
  auto fresh = RunLeadscore(
      {"score", "--model", card, "--as-of", "2025-01-01", "--leads",
       dir_.Write("new.csv",
                  "lead_id,pdays,age\n"
                  "a,999,40\nb,,40\nc,UNKNOWN,40\nd,2,40\ne, 2 ,40\nf, 999 ,40\ng, unknown,40\n")});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  const auto score = ColumnOf(fresh.out, "score");
  EXPECT_EQ(score.at("a"), score.at("b"));
  EXPECT_EQ(score.at("c"), score.at("b"));
  EXPECT_NE(score.at("d"), score.at("b"));
  EXPECT_EQ(score.at("e"), score.at("d"));
  EXPECT_EQ(score.at("f"), score.at("b"));
  EXPECT_EQ(score.at("g"), score.at("b"));
}

// Column names and values a spreadsheet may hold: quotes, a line break, a backtick, none at
// all. The scorecard written loads, and scores the table as training ranked it; the columns a
// model cannot name are left out and said to be.
// A text placeholder with blanks around it (` Select`) and a cell of blanks were missing in
// training: the written scorecard reads them so too, rather than giving them the points of
// "other values", and `score` finds train's "written points" AUC.
TEST_F(LearnCli, APaddedPlaceholderAndABlankCellAreMissingInTheWrittenScorecard) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(0, 1);
  const char* countries[] = {"FR", "DE", "US", "IN"};
  std::map<std::string, int> label;
  std::string csv = "lead_id,country,visits,converted\n";
  for (int i = 0; i < 3000; ++i) {
    const int c = static_cast<int>(unit(rng) * 4);
    const double r = unit(rng);
    // A fifth never said (a padded placeholder, or blanks); they convert least.
    const std::string cell = r < 0.15 ? " Select" : r < 0.2 ? "  " : countries[c];
    const int visits = static_cast<int>(unit(rng) * 10);
    const double z = -1 + 0.3 * c + 0.15 * visits - (r < 0.2 ? 1.5 : 0);
    const int y = unit(rng) < 1 / (1 + std::exp(-z)) ? 1 : 0;
    const std::string id = IdOf('P', i);
    label[id] = y;
    csv += id + "," + cell + "," + std::to_string(visits) + "," + std::to_string(y) + "\n";
  }
  const std::string table = dir_.Write("padded-select.csv", csv);
  const std::string card = dir_.File("padded-select.yaml");
  auto r =
      RunLeadscore({"train", "--table", table, "--label", "converted", "--positive", "1", "--drop",
                    "lead_id", "--missing", "select", "--kind", "scorecard", "--out", card});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const double points_auc = TrainingAucs(r.out).second;
  auto scored = RunLeadscore({"score", "--model", card, "--leads", table, "--as-of", "2025-01-01"});
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  const auto by_lead = ScoresWithLabels(scored.out, label);
  ASSERT_EQ(by_lead.size(), 3000u);
  EXPECT_NEAR(PairAuc(by_lead), points_auc, 1e-4) << dir_.Read("padded-select.yaml");

  auto fresh = RunLeadscore({"score", "--model", card, "--as-of", "2025-01-01", "--leads",
                             dir_.Write("new-select.csv",
                                        "lead_id,country,visits\n"
                                        "a, Select ,4\nb,,4\nc,   ,4\nd,SELECT,4\ne,BR,4\n")});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  const auto score = ColumnOf(fresh.out, "score");
  EXPECT_EQ(score.at("a"), score.at("b"));
  EXPECT_EQ(score.at("c"), score.at("b"));
  EXPECT_EQ(score.at("d"), score.at("b"));
  EXPECT_NE(score.at("e"), score.at("b")) << "a country not seen in training is another value";
}

TEST_F(LearnCli, AScorecardOfOddColumnNamesLoadsAndRanksAsTrained) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> unit(0, 1);
  std::map<std::string, int> label;
  std::string csv = "lead_id,\"it's \"\"odd\"\"\",\"line\nbreak\",a`b,,converted\n";
  for (int i = 0; i < 2000; ++i) {
    const double odd = unit(rng), kind = unit(rng);
    const int y = unit(rng) < (odd + (kind < 0.5 ? 0.4 : 0.0)) / 1.4 ? 1 : 0;
    const std::string id = IdOf('L', i);
    label[id] = y;
    csv += id + "," + std::to_string(odd) + "," + (kind < 0.5 ? "\"two\nlines\"" : "one") + "," +
           std::to_string(y) + ",x," + std::to_string(y) + "\n";
  }
  const std::string table = dir_.Write("odd.csv", csv);
  const std::string card = dir_.File("odd.yaml");
  auto r = RunLeadscore({"train", "--table", table, "--label", "converted", "--positive", "1",
                         "--drop", "lead_id", "--kind", "scorecard", "--out", card});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("column 4, \"a`b\", has a backtick (`) in its name"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("column 5 has no name, so it is not a feature"), std::string::npos) << r.err;
  const double points_auc = TrainingAucs(r.out).second;
  auto scored = RunLeadscore({"score", "--model", card, "--leads", table, "--as-of", "2025-01-01"});
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  const auto by_lead = ScoresWithLabels(scored.out, label);
  ASSERT_EQ(by_lead.size(), 2000u);
  EXPECT_GT(points_auc, 0.6);
  EXPECT_NEAR(PairAuc(by_lead), points_auc, 1e-4);  // both columns read back by their names
}

TEST_F(LearnCli, TreesAreSavedAndPredictWithReasons) {
  auto args = TableArgs("train");
  const std::string trees = dir_.File("trees.json");
  args.insert(args.end(), {"--kind", "trees", "--out", trees});
  auto r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("gradient-boosted trees, depth "), std::string::npos) << r.out;
  const std::string model = dir_.Read("trees.json");
  EXPECT_NE(model.find("leadscore_encoding"), std::string::npos);
  EXPECT_NE(model.find("Lead Source"), std::string::npos);

  // New leads: the same file without its label and leak columns would do; the model reads
  // only its own columns, so the full file works too.
  r = RunLeadscore({"predict", "--model", trees, "--leads", path_, "--explain", "--top", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::stringstream lines(r.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "lead_id,probability,reasons");
  std::vector<std::pair<double, int>> scored;
  double previous = 1;
  bool named_visits = false;
  while (std::getline(lines, line)) {
    const size_t a = line.find(','), b = line.find(',', a + 1);
    const double p = std::stod(line.substr(a + 1, b - a - 1));
    EXPECT_LE(p, previous) << "not sorted by probability: " << line;
    previous = p;
    scored.emplace_back(p, table_.label.at(line.substr(0, a)));
    named_visits |= line.find("visits:") != std::string::npos;
  }
  ASSERT_EQ(scored.size(), 3000u);
  EXPECT_TRUE(named_visits);
  EXPECT_GT(PairAuc(scored), 0.7);

  // The placeholder training read as missing (`--missing select`) is missing in new data too.
  r = RunLeadscore({"predict", "--model", trees, "--leads",
                    dir_.Write("new.csv",
                               "lead_id,visits,Lead Source,industry\n"
                               "a,3,Select,IT\nb,3,,IT\nc,3,Referral,IT\n")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto p = ColumnOf(r.out, "probability");
  EXPECT_EQ(p.at("a"), p.at("b"));
  EXPECT_NE(p.at("a"), p.at("c"));
  // The same leads as JSON Lines.
  auto jsonl = RunLeadscore(
      {"predict", "--model", trees, "--leads",
       dir_.Write(
           "new.jsonl",
           "{\"lead_id\":\"a\",\"visits\":3,\"Lead Source\":\"Select\",\"industry\":\"IT\"}\n"
           "{\"lead_id\":\"b\",\"visits\":3,\"industry\":\"IT\"}\n"
           "{\"lead_id\":\"c\",\"visits\":3,\"Lead Source\":\"Referral\",\"industry\":\"IT\"}\n")});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  EXPECT_EQ(ColumnOf(jsonl.out, "probability"), p);

  r = RunLeadscore({"predict", "--model", path_, "--leads", path_});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("not an XGBoost model (a JSON file written by"), std::string::npos) << r.err;
  // And the other way round: a trees model where a rule model goes says what it is.
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"score", "--model", trees, "--leads", path_},
        std::vector<std::string>{"check", trees}}) {
    r = RunLeadscore(command);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err.find("unknown key"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(trees + ": not a rule model: a trees model (a JSON file written by "
                                 "`leadscore train --kind trees`); use it with `leadscore predict "
                                 "--model` or beside a rule model with `leadscore score "
                                 "--predictive`\n"),
              std::string::npos)
        << r.err;
  }
}

// `model` with the `index`th number of its first `key` array (the first tree's) set to `value`.
std::string WithFirstTreeEntry(std::string model, const std::string& key, size_t index,
                               const std::string& value) {
  size_t at = model.find("\"" + key + "\":[");
  EXPECT_NE(at, std::string::npos) << key;
  at = model.find('[', at) + 1;
  for (size_t i = 0; i < index; ++i) at = model.find(',', at) + 1;
  const size_t end = model.find_first_of(",]", at);
  return model.replace(at, end - at, value);
}

// A trees model damaged on disk or by hand is refused in one line naming the file, by predict
// and score --predictive alike, rather than crashing, looping, or printing XGBoost's backtrace.
TEST_F(LearnCli, ADamagedTreesModelIsRefusedInOneLine) {
  auto args = TableArgs("train");
  args.insert(args.end(), {"--kind", "trees", "--out", dir_.File("trees.json")});
  ASSERT_EQ(RunLeadscore(args).exit_code, 0);
  const std::string model = dir_.Read("trees.json");
  const std::string leads = dir_.Write("new.csv", "lead_id,visits\na,3\n");
  const std::string rules = std::string(LEADSCORE_SOURCE_DIR) + "/examples/saas/model.yaml";

  const std::pair<std::string, std::string> damaged[] = {
      {WithFirstTreeEntry(model, "left_children", 0, "999999"),
       "not a valid trees model: tree 0, node 0: child 999999 out of range"},
      // Node 1's left child is the root: a walk that goes there never ends.
      {WithFirstTreeEntry(model, "left_children", 1, "0"),
       "not a valid trees model: tree 0, node 1: child 0 reached twice (a cycle?)"},
      {model.substr(0, 3000),
       "not a valid trees model: the JSON stops at byte 3000 before it is complete (cut short?)"},
      {"{}", "not a valid trees model: no `learner` object (not an XGBoost model?)"},
  };
  for (const auto& [bytes, message] : damaged) {
    const std::string path = dir_.Write("damaged.json", bytes);
    auto r = RunLeadscore({"predict", "--model", path, "--leads", leads});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err, path + ": " + message + "\n");
    r = RunLeadscore({"score", "-m", rules, "-l", leads, "-t", "2026-01-01", "--predictive", path});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.err, "--predictive: " + path + ": " + message + "\n");
  }
}

// predict reads a leads file with score's row rules: a row without lead_id and a second row for
// a lead_id are reported and skipped (the first counts), a number that does not convert is
// reported and missing, without turning the column into categories for every other lead.
TEST_F(LearnCli, PredictAppliesScoresRowRules) {
  auto args = TableArgs("train");
  const std::string trees = dir_.File("trees.json");
  args.insert(args.end(), {"--kind", "trees", "--out", trees});
  ASSERT_EQ(RunLeadscore(args).exit_code, 0);
  const std::string leads = dir_.Write("new.csv",
                                       "lead_id,visits,Lead Source,industry\n"
                                       "a,9,Referral,IT\n"
                                       ",9,Referral,IT\n"
                                       "a,1,Google,Retail\n"
                                       "b,many,Referral,IT\n"
                                       "c,,Referral,IT\n");
  auto r = RunLeadscore({"predict", "--model", trees, "--leads", leads});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(leads + ":3: field `lead_id`: missing lead_id; row skipped"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(leads + ":4: field `lead_id`: lead_id \"a\" already read at line 2; row "
                               "skipped"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(leads + ":5: field `visits`: cannot convert \"many\" to number; using null"),
            std::string::npos)
      << r.err;
  const auto p = ColumnOf(r.out, "probability");
  ASSERT_EQ(p.size(), 3u) << r.out;
  EXPECT_FALSE(p.contains(""));
  // The first row of `a` counts; `b` reads as `c`, whose visits are missing; the other leads'
  // visits still count.
  const std::string again = RunLeadscore({"predict", "--model", trees, "--leads",
                                          dir_.Write("first.csv",
                                                     "lead_id,visits,Lead Source,industry\n"
                                                     "a,9,Referral,IT\n")})
                                .out;
  EXPECT_EQ(p.at("a"), ColumnOf(again, "probability").at("a"));
  EXPECT_EQ(p.at("b"), p.at("c"));
  EXPECT_NE(p.at("a"), p.at("c"));
}

// A lead_id is taken as written, as `score` takes it (SCORING.md): ` a ` and `a` are two leads
// for predict, and `score --predictive` finds the prediction of each, blanks and all.
TEST_F(LearnCli, LeadIdsWithBlanksAreTakenAsWritten) {
  auto args = TableArgs("train");
  const std::string trees = dir_.File("trees.json");
  args.insert(args.end(), {"--kind", "trees", "--out", trees});
  ASSERT_EQ(RunLeadscore(args).exit_code, 0);
  const std::string leads = dir_.Write("ids.csv",
                                       "lead_id,visits,Lead Source,industry\n"
                                       " a ,9,Referral,IT\n"
                                       "a,1,Google,Retail\n"
                                       "b ,9,Referral,IT\n");
  auto r = RunLeadscore({"predict", "--model", trees, "--leads", leads});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("already read"), std::string::npos) << r.err;
  const auto p = ColumnOf(r.out, "probability");
  ASSERT_EQ(p.size(), 3u) << r.out;
  ASSERT_TRUE(p.contains(" a ") && p.contains("a") && p.contains("b ")) << r.out;
  EXPECT_NE(p.at(" a "), p.at("a"));
  EXPECT_EQ(p.at(" a "), p.at("b "));

  const std::string rules = std::string(LEADSCORE_SOURCE_DIR) + "/examples/saas/model.yaml";
  r = RunLeadscore({"score", "-m", rules, "-l", leads, "-t", "2026-01-01", "--predictive", trees});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto q = ColumnOf(r.out, "probability");
  ASSERT_EQ(q.size(), 3u) << r.out;
  for (const auto& [id, probability] : q) EXPECT_EQ(probability, p.at(id)) << "lead `" << id << "`";
}

// A column the model reads that the leads file lacks (a header in another case) leaves every
// lead the same value of it: predict and score say so once, with the column the file has
// instead, and still score (a rule model may mean an attribute only some files have).
TEST_F(LearnCli, AModelsColumnTheLeadsFileLacksIsSaid) {
  const std::string trees = dir_.File("trees.json"), card = dir_.File("card.yaml");
  for (const auto& [kind, out] : {std::pair{"trees", trees}, std::pair{"scorecard", card}}) {
    auto args = TableArgs("train");
    args.insert(args.end(), {"--kind", kind, "--out", out});
    ASSERT_EQ(RunLeadscore(args).exit_code, 0) << kind;
  }
  const std::string other_case = dir_.Write("upper.csv",
                                            "lead_id,VISITS,Lead Source,industry\n"
                                            "a,9,Referral,IT\nb,1,Google,Retail\n");
  const std::string said =
      ": the model reads a column the file does not have, so every lead "
      "reads it as missing: `visits` (did you mean `VISITS`?)\n";
  auto r = RunLeadscore({"predict", "--model", trees, "--leads", other_case});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(other_case + ": warning" + said), std::string::npos) << r.err;
  r = RunLeadscore({"score", "--model", card, "--leads", other_case, "--strict"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t at = r.err.find(other_case + ": warning" + said);
  EXPECT_NE(at, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("warning", at + other_case.size() + said.size()), std::string::npos)
      << "said more than once: " << r.err;
  r = RunLeadscore({"score", "--model", card, "--leads", other_case, "--predictive", trees});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(other_case + ": warning" + said), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(other_case +
                       ": warning: the trees model (--predictive) reads a column the file does "
                       "not have, so every lead reads it as missing: `visits` (did you mean "
                       "`VISITS`?)\n"),
            std::string::npos)
      << r.err;

  // JSON Lines: a key no record has.
  const std::string jsonl = dir_.Write(
      "upper.jsonl",
      "{\"lead_id\":\"a\",\"Visits\":9,\"Lead Source\":\"Referral\",\"industry\":\"IT\"}\n");
  r = RunLeadscore({"score", "--model", card, "--leads", jsonl});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(jsonl + ": warning: the model reads a key that no record of the file gives "
                               "a value (absent, null, or not of the declared type)"),
            std::string::npos)
      << r.err;
  r = RunLeadscore({"predict", "--model", trees, "--leads", jsonl});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(jsonl + ": warning" + said.substr(0, said.find("(did")) +
                       "(did you mean `Visits`?)\n"),
            std::string::npos)
      << r.err;

  // The file the model was trained on has every column: nothing to say.
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"predict", "--model", trees, "--leads", path_},
        std::vector<std::string>{"score", "--model", card, "--leads", path_, "--predictive",
                                 trees}}) {
    r = RunLeadscore(command);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
  }
}

// predict -o and train --out on a disk that fills up (a file-size limit here): the previous
// file stays as it was, nothing half-written is left, and the message names the file and why.
TEST_F(LearnCli, AFailedWriteLeavesThePreviousFileAndSaysWhy) {
  auto args = TableArgs("train");
  const std::string trees = dir_.File("trees.json");
  args.insert(args.end(), {"--kind", "trees", "--out", trees});
  ASSERT_EQ(RunLeadscore(args).exit_code, 0);

  const std::string predictions = dir_.Write("p.csv", "previous predictions\n");
  auto r = testutil::RunLeadscoreWithFileSizeLimit(
      {"predict", "--model", trees, "--leads", path_, "-o", predictions}, 20000);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err, "predict: cannot write " + predictions + ": File too large\n");
  EXPECT_EQ(dir_.Read("p.csv"), "previous predictions\n");
  EXPECT_EQ(FilesStartingWith(dir_.path(), "p.csv"), std::vector<std::string>{"p.csv"});

  for (const char* kind : {"trees", "scorecard"}) {
    const std::string out = dir_.File(std::string("new-") + kind);
    args = TableArgs("train");
    args.insert(args.end(), {"--kind", kind, "--out", out});
    r = testutil::RunLeadscoreWithFileSizeLimit(args, 1000);
    EXPECT_EQ(r.exit_code, 1) << kind << ": " << r.err;
    EXPECT_NE(r.err.find("cannot write " + out + ": File too large\n"), std::string::npos)
        << kind << ": " << r.err;
    EXPECT_EQ(FilesStartingWith(dir_.path(), "new-"), std::vector<std::string>{}) << kind;
  }
}

// A model goes where --out leads: through a link to its file (the link stays), to standard
// output for "-"; a file beside it that the run did not make is left alone, and an --out that
// cannot be written is refused before the training.
TEST_F(LearnCli, AModelIsWrittenWhereTheOutPathLeadsAndNothingElseIsTouched) {
  for (const char* kind : {"scorecard", "trees"}) {
    SCOPED_TRACE(kind);
    const std::string target = dir_.Write(std::string("target-") + kind, "old\n");
    const std::string link = dir_.File(std::string("link-") + kind);
    std::filesystem::create_symlink(target, link);
    dir_.Write(std::string("link-") + kind + ".tmp", "my notes\n");
    auto args = TableArgs("train");
    args.insert(args.end(), {"--kind", kind, "--out", link});
    auto r = RunLeadscore(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::is_symlink(link));
    EXPECT_NE(dir_.Read(std::string("target-") + kind), "old\n");
    EXPECT_EQ(dir_.Read(std::string("link-") + kind + ".tmp"), "my notes\n");
    auto check = RunLeadscore({"predict", "--model", link, "--leads", path_});
    if (std::string(kind) == "scorecard") check = RunLeadscore({"check", link});
    EXPECT_EQ(check.exit_code, 0) << check.err;

    args = TableArgs("train");
    args.insert(args.end(), {"--kind", kind, "--out", dir_.path()});
    r = RunLeadscore(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err, "--out: cannot write " + dir_.path() + ": Is a directory\n");

    // A loop of links leads nowhere: refused, and the link left a link.
    const std::string loop = dir_.File(std::string("loop-") + kind);
    std::filesystem::create_symlink(loop, loop);
    args = TableArgs("train");
    args.insert(args.end(), {"--kind", kind, "--out", loop});
    r = RunLeadscore(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err, "--out: cannot write " + loop + ": Too many levels of symbolic links\n");
    EXPECT_TRUE(std::filesystem::is_symlink(loop));
  }
  // predict refuses such an output before it reads the leads.
  auto predicted = RunLeadscore(
      {"predict", "--model", dir_.File("link-trees"), "--leads", path_, "--output", dir_.path()});
  EXPECT_EQ(predicted.exit_code, 2) << predicted.err;
  EXPECT_EQ(predicted.err, "--output: cannot write " + dir_.path() + ": Is a directory\n");
  auto args = TableArgs("train");
  args.insert(args.end(), {"--out", "-"});
  auto r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string model = dir_.Write("from-stdout.yaml", r.out);
  EXPECT_EQ(RunLeadscore({"check", model}).exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("standard output: scorecard with "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("leadscore score --model MODEL.yaml "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("--model -"), std::string::npos) << r.err;
}

// A negative seed is refused rather than wrapped to 2^64 - 1; more threads than cores are cut to
// the cores (they only wait on each other), and the cut is said.
TEST_F(LearnCli, ASeedIsAWholeNumberAndThreadsStopAtTheCores) {
  auto args = TableArgs("train");
  args.insert(args.end(), {"--out", dir_.File("s.yaml"), "--seed", "-1"});
  auto r = RunLeadscore(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--seed: must be a whole number from 0 to 18446744073709551615, not -1"),
            std::string::npos)
      << r.err;
  r = RunLeadscore({"generate", "--out", dir_.File("g"), "--leads", "5", "--seed", "-1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("g")));

  args = TableArgs("train");
  args.insert(args.end(), {"--kind", "trees", "--out", dir_.File("t.json"), "--threads", "256"});
  r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_NE(r.err.find("--threads 256: this machine has " + std::to_string(cores) + " core"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("; training with " + std::to_string(cores) + "\n"), std::string::npos)
      << r.err;
}

// A table without ids (a dataset's test fold) is predicted row by row: `row` numbers its data
// rows from 0, a bad row counted, so the predictions join the file's labels; --id names
// another column, and one that is not there is an error.
TEST_F(LearnCli, PredictNamesLeadsByTheirRowsWhenTheFileHasNoIds) {
  auto args = TableArgs("train");
  args.insert(args.end(), {"--kind", "trees", "--out", dir_.File("t.json")});
  ASSERT_EQ(RunLeadscore(args).exit_code, 0);
  std::string no_ids = "visits,Lead Source,industry,converted\n";
  std::vector<int> labels;
  for (const std::string& line : Lines(table_.csv)) {
    if (line.starts_with("lead_id") || labels.size() == 400) continue;
    const std::vector<std::string> cells = Cells(line);
    no_ids += cells[1] + "," + cells[2] + "," + cells[3] + "," + cells[5] + "\n";
    labels.push_back(std::stoi(cells[5]));
    if (labels.size() == 7) {
      no_ids += "1,2\n";  // a bad row: row 7, no prediction
      labels.push_back(-1);
    }
  }
  const std::string file = dir_.Write("no-ids.csv", no_ids);
  auto r = RunLeadscore({"predict", "--model", dir_.File("t.json"), "--leads", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(file + ": no `lead_id` column: each lead is named by its data row"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(file + ":9: expected 4 cells, found 2; row skipped"), std::string::npos)
      << r.err;
  EXPECT_EQ(Lines(r.out).at(0), "row,probability");
  const std::map<std::string, std::string> predicted = ColumnOf(r.out, "probability");
  ASSERT_EQ(predicted.size(), labels.size() - 1);  // every row but the bad one
  EXPECT_EQ(predicted.count("7"), 0u);
  double positive_mean = 0, negative_mean = 0;
  int positives = 0;
  for (const auto& [row, probability] : predicted) {
    const int label = labels.at(std::stoul(row));
    ASSERT_NE(label, -1) << row;
    (label ? positive_mean : negative_mean) += std::stod(probability);
    positives += label;
  }
  // Joined by row, the predictions separate the labels: rows matched to the wrong labels
  // would not.
  positive_mean /= positives;
  negative_mean /= static_cast<double>(predicted.size()) - positives;
  EXPECT_GT(positive_mean, negative_mean + 0.15) << positive_mean << " " << negative_mean;

  // Named .jsonl, the output is JSON Lines: the same rows and probabilities.
  const std::string jsonl = dir_.File("preds.jsonl");
  r = RunLeadscore({"predict", "--model", dir_.File("t.json"), "--leads", file, "-o", jsonl});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> json_lines = Lines(dir_.Read("preds.jsonl"));
  EXPECT_EQ(json_lines.size(), predicted.size());
  for (const std::string& line : json_lines) {
    const nlohmann::json doc = nlohmann::json::parse(line);
    ASSERT_TRUE(doc["row"].is_number_unsigned()) << line;
    const auto csv = predicted.find(std::to_string(doc["row"].get<uint64_t>()));
    ASSERT_NE(csv, predicted.end()) << line;
    EXPECT_NEAR(doc["probability"].get<double>(), std::stod(csv->second), 1e-9) << line;
  }

  // --id naming one of the model's inputs keeps it an input: each industry's first row (the
  // later ones repeat the id and are skipped) is predicted as it is without --id.
  r = RunLeadscore(
      {"predict", "--model", dir_.File("t.json"), "--leads", file, "--id", "industry"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::map<std::string, std::string> by_industry = ColumnOf(r.out, "probability");
  ASSERT_EQ(by_industry.size(), 3u) << r.out;
  const std::vector<std::string> file_lines = Lines(no_ids);
  std::map<std::string, std::string> first_row_of;  // industry -> its first data row
  for (size_t i = 1; i < file_lines.size(); ++i) {
    const std::vector<std::string> cells = Cells(file_lines[i]);
    if (cells.size() == 4) first_row_of.try_emplace(cells[2], std::to_string(i - 1));
  }
  for (const auto& [industry, probability] : by_industry) {
    EXPECT_EQ(probability, predicted.at(first_row_of.at(industry))) << industry;
  }
  r = RunLeadscore({"predict", "--model", dir_.File("t.json"), "--leads", file, "--id", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  const size_t listed = r.err.find(file + ": no `nope` column (it has: ");
  ASSERT_NE(listed, std::string::npos) << r.err;
  // The columns it could be, on that line.
  const std::string line = r.err.substr(listed, r.err.find('\n', listed) - listed);
  EXPECT_NE(line.find("industry"), std::string::npos) << r.err;
}

// A placeholder is compared trimmed, as cells are: `--missing 'x, Select'` reads Select as
// missing, as `--missing x,Select` does. One that no cell holds (misspelt) is said.
TEST_F(LearnCli, MissingPlaceholdersAreTrimmedAndOnesNoCellHoldsAreSaid) {
  auto with_missing = [&](const std::string& missing, const std::string& out) {
    std::vector<std::string> args = {
        "train",  "--table",     path_,       "--label", "converted", "--positive",  "1",
        "--drop", "lead_id,tag", "--missing", missing,   "--out",     dir_.File(out)};
    return RunLeadscore(args);
  };
  auto plain = with_missing("Selct,Select", "plain.yaml");
  auto spaced = with_missing("Selct, Select", "spaced.yaml");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(spaced.exit_code, 0) << spaced.err;
  EXPECT_EQ(dir_.Read("plain.yaml"), dir_.Read("spaced.yaml"));
  EXPECT_EQ(dir_.Read("spaced.yaml").find("\"Select\""), std::string::npos);
  for (const auto* r : {&plain, &spaced}) {
    EXPECT_NE(r->err.find("--missing: no cell of " + path_ +
                          " is `Selct` (compared trimmed, in any case): check its spelling"),
              std::string::npos)
        << r->err;
    EXPECT_EQ(r->err.find("is `Select`"), std::string::npos) << r->err;
  }
}

TEST_F(LearnCli, BadLabelsAreClearErrors) {
  auto r =
      RunLeadscore({"evaluate", "--table", path_, "--label", "converted", "--positive", "yes"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the label `converted` is never `yes` in 3000 rows"), std::string::npos)
      << r.err;
  r = RunLeadscore({"train", "--table", path_, "--label", "won", "--positive", "1", "--out",
                    dir_.File("x.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no column `won` for the label"), std::string::npos) << r.err;
  std::string one_class = "a,y\n";
  for (int i = 0; i < 50; ++i) one_class += std::to_string(i) + ",1\n";
  r = RunLeadscore(
      {"evaluate", "--table", dir_.Write("one.csv", one_class), "--label", "y", "--positive", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nothing to learn from one class"), std::string::npos) << r.err;
  r = RunLeadscore({"evaluate", "--table", dir_.Write("few.csv", "a,y\n1,1\n2,0\n3,1\n"), "--label",
                    "y", "--positive", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("3 usable rows; training and evaluation need at least 20"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("x.yaml")));
}

// One stray text among numbers (`n/a`) makes a column categorical, its numbers levels without
// order: train names the column, the values and the --missing that reads them as missing.
TEST_F(LearnCli, AColumnOfNumbersButForAFewTextsIsPointedAt) {
  std::string csv = table_.csv;
  for (const char* row : {"\nL5,", "\nL9,", "\nL40,"}) {
    const size_t at = csv.find(row) + std::strlen(row);
    csv.replace(at, csv.find(',', at) - at, "n/a");
  }
  const std::string table = dir_.Write("stray.csv", csv);
  std::vector<std::string> args = {
      "train",  "--table",     table,       "--label", "converted", "--positive",       "1",
      "--drop", "lead_id,tag", "--missing", "select",  "--out",     dir_.File("s.yaml")};
  auto r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(table + ": the column `visits` holds numbers but for `n/a` (3 rows), so it "
                               "is read as categories; if that means missing, say so: --missing "
                               "'select,n/a'\n"),
            std::string::npos)
      << r.err;
  args[10] = "select,n/a";
  r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("holds numbers but for"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(1 numeric, 2 categorical)"), std::string::npos) << r.err;
  // A column of categories is not one of numbers with stray text.
  EXPECT_EQ(RunLeadscore(TableArgs("evaluate")).err.find("holds numbers but for"),
            std::string::npos);

  // Many such values (thousands written with a comma, `NaN`) on a few rows: the commonest are
  // named, and the others counted.
  csv = table_.csv;
  const char* strays[] = {"\"1,200\"", "\"1,200\"", "NaN", "inf", "\"2,500\"", "-inf"};
  for (int i = 0; i < 6; ++i) {
    const std::string row = "\n" + IdOf('L', 100 + i) + ",";
    const size_t at = csv.find(row) + row.size();
    csv.replace(at, csv.find(',', at) - at, strays[i]);
  }
  args[2] = dir_.Write("strays.csv", csv);
  args[10] = "select";
  r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("strays.csv: the column `visits` holds numbers but for 5 values that are "
                       "not, such as `1,200` (2 rows), `NaN` (1 row), `inf` (1 row), and 2 more "
                       "on 2 rows, so it is read as categories"),
            std::string::npos)
      << r.err;
}

// A label of more than two values is one value against all the others: train and evaluate say
// which count as what, a value in another case included; a positive value never found is
// answered with the values there are.
TEST_F(LearnCli, ALabelOfMoreThanTwoValuesIsShownWithItsCounts) {
  std::map<std::string, int> count;
  std::string csv = "lead_id,visits,Status\n";
  for (int i = 0; i < 400; ++i) {
    const std::string status = i % 5 == 0    ? "Won"
                               : i % 5 == 1  ? "Open"
                               : i % 50 == 2 ? "won"
                                             : "Lost";
    ++count[status];
    csv += IdOf('L', i) + "," + std::to_string(i % 13 + (status == "Won" ? 4 : 0)) + "," + status +
           "\n";
  }
  const std::string table = dir_.Write("status.csv", csv);
  auto n = [&count](const char* value) { return std::to_string(count[value]); };
  const std::string note = table + ": label Status: Won " + n("Won") + " (positive); Lost " +
                           n("Lost") + ", Open " + n("Open") + ", won " + n("won") +
                           " (negative)\n";
  for (const char* command : {"train", "evaluate"}) {
    SCOPED_TRACE(command);
    std::vector<std::string> args = {command,   "--table",    table,      "--label",
                                     "Status",  "--positive", "Won",      "--drop",
                                     "lead_id", "--kind",     "scorecard"};
    if (std::string(command) == "train") args.insert(args.end(), {"--out", dir_.File("s.yaml")});
    auto r = RunLeadscore(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find(note), std::string::npos) << r.err;
  }
  // Two values, as usual: nothing to say.
  auto r = RunLeadscore({"train", "--table", path_, "--label", "converted", "--positive", "1",
                         "--drop", "lead_id,tag", "--out", dir_.File("plain.yaml")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("(positive)"), std::string::npos) << r.err;

  r = RunLeadscore({"train", "--table", table, "--label", "Status", "--positive", "Closed", "--out",
                    dir_.File("x.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the label `Status` is never `Closed` in 400 rows (check --positive: it "
                       "must be written as in the file); its values, most frequent first: `Lost` " +
                       n("Lost") + " rows, `Open` " + n("Open") + " rows, `Won` " + n("Won") +
                       " rows, `won` " + n("won") + " rows\n"),
            std::string::npos)
      << r.err;
}

// Points that keep a decimal add up in another order in evaluate than in the engine: the
// figures rank by the score as `score` prints it, so a tie there is a tie here. A table of many
// weak attributes, whose whole points would cost training AUC.
TEST_F(LearnCli, DecimalPointsRankAsScorePrintsThem) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> effect(0, 0.15);
  std::uniform_real_distribution<double> unit(0, 1);
  constexpr int kColumns = 60;
  std::vector<std::array<double, 3>> effects(kColumns);
  for (auto& e : effects) e = {effect(rng), effect(rng), effect(rng)};
  std::map<std::string, int> label;
  std::string header = "lead_id";
  for (int c = 0; c < kColumns; ++c) header += ",f" + std::to_string(c);
  std::string all = header + ",y\n", train = all, test = all;
  for (int i = 0; i < 3000; ++i) {
    std::string row = IdOf('D', i);
    double z = 0;
    for (int c = 0; c < kColumns; ++c) {
      const int level = static_cast<int>(unit(rng) * 3);
      z += effects[c][level];
      row += ",c" + std::to_string(level);
    }
    const int y = unit(rng) < 1 / (1 + std::exp(-z)) ? 1 : 0;
    label[IdOf('D', i)] = y;
    row += "," + std::to_string(y) + "\n";
    all += row;
    (i < 2250 ? train : test) += row;
  }
  const std::string table = dir_.Write("weak.csv", all);
  auto r = RunLeadscore({"evaluate", "--table", table, "--label", "y", "--positive", "1", "--drop",
                         "lead_id", "--kind", "scorecard", "--holdout-last", "0.25", "--format",
                         "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const double held_out_auc =
      nlohmann::json::parse(r.out)["models"][0]["folds"][0]["auc"].get<double>();
  // The same split by hand: train on the first three quarters, score the last.
  r = RunLeadscore({"train", "--table", dir_.Write("train.csv", train), "--label", "y",
                    "--positive", "1", "--drop", "lead_id", "--out", dir_.File("weak.yaml")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NE(r.out.find("1-decimal points"), std::string::npos) << r.out;  // what is tested
  auto scored = RunLeadscore({"score", "--model", dir_.File("weak.yaml"), "--leads",
                              dir_.Write("test.csv", test), "--as-of", "2025-01-01"});
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  EXPECT_DOUBLE_EQ(PairAuc(ScoresWithLabels(scored.out, label)), held_out_auc);
}

// A held-out fold without a converted row has no pair to rank: evaluate says so and why, rather
// than print "nan"; --format json writes null.
TEST_F(LearnCli, AucOfAFoldWithoutAConvertedRowIsExplained) {
  std::string few = "a,b,y\n";
  for (int i = 0; i < 60; ++i) {
    few += std::to_string(i % 7) + "," + (i % 2 ? "x" : "z") + "," + (i < 2 ? "1" : "0") + "\n";
  }
  const std::string path = dir_.Write("few.csv", few);
  auto r = RunLeadscore({"evaluate", "--table", path, "--label", "y", "--positive", "1", "--folds",
                         "3", "--kind", "scorecard"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("nan"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("scorecard      n/a     n/a"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("AUC and PR-AUC: undefined: fold 2 holds no converted row (2 positives for "
                       "3 folds).\nA fold needs converted and unconverted rows to rank: use fewer "
                       "folds (--folds) or more outcomes.\n"),
            std::string::npos)
      << r.out;
  r = RunLeadscore({"evaluate", "--table", path, "--label", "y", "--positive", "1", "--folds", "3",
                    "--kind", "scorecard", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_TRUE(json["models"][0]["auc"].is_null()) << r.out;

  // A folds file's folds are named as the file numbers them (1 to 3, as pandas or R would).
  std::string folds = "row,fold\n";
  for (int i = 0; i < 60; ++i) folds += std::to_string(i) + "," + std::to_string(i % 3 + 1) + "\n";
  std::vector<std::string> from_file = {"evaluate",
                                        "--table",
                                        path,
                                        "--label",
                                        "y",
                                        "--positive",
                                        "1",
                                        "--kind",
                                        "scorecard",
                                        "--folds-file",
                                        dir_.Write("folds.csv", folds)};
  r = RunLeadscore(from_file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("AUC and PR-AUC: undefined: fold 3 holds no converted row (2 positives for "
                       "3 folds).\nA fold needs converted and unconverted rows to rank: deal the "
                       "converted rows among the folds file's folds, or use fewer of them.\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("AUC by fold:\nmodel       fold 1  fold 2  fold 3\n"), std::string::npos)
      << r.out;
  from_file.insert(from_file.end(), {"--format", "json"});
  r = RunLeadscore(from_file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto by_file = nlohmann::json::parse(r.out);
  ASSERT_EQ(by_file["models"][0]["folds"].size(), 3u) << r.out;
  for (int f = 0; f < 3; ++f) EXPECT_EQ(by_file["models"][0]["folds"][f]["fold"], f + 1) << r.out;

  // More folds than rows would leave folds empty: refused, saying how many there can be.
  r = RunLeadscore({"evaluate", "--table", path, "--label", "y", "--positive", "1", "--folds", "61",
                    "--kind", "scorecard"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find("--folds 61: the table has 60 usable rows, and every fold needs one; use "
                       "--folds 60 or fewer\n"),
            std::string::npos)
      << r.err;
}

// A stray quote takes lines into one cell, as `score` and Python's csv read it, and says so.
TEST_F(LearnCli, AStrayQuoteInATableIsReported) {
  std::string table = "a,note,y\n1,\"x\n2,b,1\n3,\"c\",0\n";
  for (int i = 4; i < 60; ++i) table += std::to_string(i) + ",n," + std::to_string(i % 2) + "\n";
  const std::string path = dir_.Write("stray.csv", table);
  auto r = RunLeadscore({"evaluate", "--table", path, "--label", "y", "--positive", "1"});
  EXPECT_NE(r.err.find(path + ":2: field `note`: a quoted cell runs over lines 2-4 and has text "
                              "after its closing quote (a stray quote?): lines 3-4 were read "
                              "into it"),
            std::string::npos)
      << r.err;
}

// History built to leak: every converter signs a contract and browses heavily right after
// the reference date, and nothing before it tells converters apart. Features as of the
// reference must see none of that (AUC near 0.5); the same events a month earlier, before the
// reference, must be found (AUC near 1), or the test could not fail.
struct History {
  std::string leads, events, outcomes;
};

History LeakyHistory(const std::string& leak_day) {
  std::mt19937_64 rng(5);
  History h{"lead_id,industry,created_at\n", "", "lead_id,outcome,ts\n"};
  int event_id = 0;
  auto event = [&](const std::string& lead, const std::string& type, const std::string& ts) {
    h.events += "{\"event_id\":\"e" + std::to_string(event_id++) + "\",\"lead_id\":\"" + lead +
                "\",\"type\":\"" + type + "\",\"ts\":\"" + ts + "\",\"url\":\"/pricing\"}\n";
  };
  for (int i = 0; i < 600; ++i) {
    const std::string id = IdOf('L', i);
    const bool converts = rng() % 10 < 3;
    h.leads += id + "," + (rng() % 2 ? "IT" : "Retail") + ",2025-0" + std::to_string(1 + i % 4) +
               "-10T09:00:00Z\n";
    for (int k = static_cast<int>(rng() % 6); k > 0; --k) {
      event(id, "page_view", "2025-05-" + std::to_string(10 + k) + "T10:00:00Z");
    }
    if (!converts) continue;
    event(id, "contract_signed", leak_day + "T10:00:00Z");
    for (int k = 0; k < 10; ++k)
      event(id, "page_view", leak_day + "T11:0" + std::to_string(k) + ":00Z");
    h.outcomes += id + ",won,2025-06-15T12:00:00Z\n";
  }
  h.outcomes += "L0,lost,2025-12-31T00:00:00Z\n";  // the data runs to the end of the year
  return h;
}

TEST_F(LearnCli, HistoryFeaturesNeverSeeWhatHappenedAfterTheReference) {
  auto evaluate = [&](const History& h, const std::string& name) {
    auto r = RunLeadscore({"evaluate", "--leads", dir_.Write(name + "-leads.csv", h.leads),
                           "--events", dir_.Write(name + "-events.jsonl", h.events), "--outcomes",
                           dir_.Write(name + "-outcomes.csv", h.outcomes), "--reference",
                           "2025-06-01", "--horizon", "90d", "--folds", "3", "--kind", "scorecard",
                           "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::make_pair(nlohmann::json::parse(r.out)["models"][0]["auc"].get<double>(), r.err);
  };
  const auto [leaky_auc, leaky_err] = evaluate(LeakyHistory("2025-06-02"), "after");
  EXPECT_LT(leaky_auc, 0.65) << "events after the reference reached the features";
  EXPECT_NE(leaky_err.find("600 leads; 600 used"), std::string::npos) << leaky_err;
  EXPECT_NE(leaky_err.find("after their lead's reference (never seen)"), std::string::npos);
  const auto [early_auc, early_err] = evaluate(LeakyHistory("2025-05-20"), "before");
  EXPECT_GT(early_auc, 0.95) << early_err;

  // A type seen only after the reference is not even an input of the trees.
  const History h = LeakyHistory("2025-06-02");
  auto r = RunLeadscore({"train", "--leads", dir_.Write("t-leads.csv", h.leads), "--events",
                         dir_.Write("t-events.jsonl", h.events), "--outcomes",
                         dir_.Write("t-outcomes.csv", h.outcomes), "--reference", "2025-06-01",
                         "--kind", "trees", "--out", dir_.File("history-trees.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string model = dir_.Read("history-trees.json");
  EXPECT_NE(model.find("page_view.30d"), std::string::npos);
  EXPECT_EQ(model.find("contract_signed"), std::string::npos);
}

// predict and train skip the rows `score` skips, in score's words: an id that is no string or
// number, an id holding U+0000, a time that does not read; an events file without a `ts`
// column is refused as score refuses it.
TEST_F(LearnCli, PredictAndTrainSkipTheRowsScoreSkipsAndSaySoAlike) {
  const History h = LeakyHistory("2025-05-20");
  const std::string events = dir_.Write("h-events.jsonl", h.events);
  const std::string outcomes = dir_.Write("h-outcomes.csv", h.outcomes);
  const std::string trees = dir_.File("trees.json");
  auto r = RunLeadscore({"train", "--leads", dir_.Write("h-leads.csv", h.leads), "--events", events,
                         "--outcomes", outcomes, "--reference", "2025-06-01", "--kind", "trees",
                         "--out", trees});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::string leads = dir_.Write("bad-leads.jsonl", std::string(R"({"lead_id":true}
{"lead_id":["x"]}
{"lead_id":"a\u0000b"}
{"lead_id":"ok"}
)"));
  const std::string bad_events = dir_.Write(
      "bad-events.jsonl", std::string(R"({"lead_id":true,"type":"page_view","ts":"2025-05-01"}
{"lead_id":"ok","type":"page_view","ts":"2025-05-01","event_id":"\u0000"}
{"lead_id":"ok","type":{"a":1},"ts":"2025-05-01"}
{"lead_id":"ok","type":"page_view","ts":"soon"}
{"lead_id":"ok","type":"page_view","ts":"2025-05-01"}
)"));
  auto predicted = RunLeadscore({"predict", "--model", trees, "--leads", leads, "--events",
                                 bad_events, "--as-of", "2025-06-01"});
  auto scored = RunLeadscore({"score", "--model", dir_.Write("m.yaml", "version: 1\n"), "--leads",
                              leads, "--events", bad_events, "--as-of", "2025-06-01"});
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err;
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  EXPECT_EQ(predicted.out.find('\0'), std::string::npos);
  EXPECT_EQ(Lines(predicted.out).size(), 2u) << predicted.out;  // the header and "ok"
  for (const std::string& line : Lines(scored.err)) {
    if (line.find("row skipped") == std::string::npos) continue;
    EXPECT_NE(predicted.err.find(line), std::string::npos) << line << "\n" << predicted.err;
  }
  EXPECT_NE(scored.err.find("bad-events.jsonl:4: field `ts`: cannot parse \"soon\" as a time"),
            std::string::npos)
      << scored.err;

  // The events file's summary, as score gives one: what was used and what was not.
  const std::string counted =
      dir_.Write("counted.jsonl",
                 R"({"lead_id":"ok","type":"page_view","ts":"2025-05-01","event_id":"e1"}
{"lead_id":"ok","type":"page_view","ts":"2025-05-02","event_id":"e1"}
{"lead_id":"ok","type":"download","ts":"2025-05-03"}
{"lead_id":"ok","type":"page_view","ts":"2025-07-01"}
{"lead_id":"stranger","type":"page_view","ts":"2025-05-01"}
)");
  predicted = RunLeadscore({"predict", "--model", trees, "--leads", leads, "--events", counted,
                            "--as-of", "2025-06-01"});
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err;
  EXPECT_NE(predicted.err.find(counted +
                               ": 2 events used, 1 after --as-of 2025-06-01T00:00:00Z (not used), "
                               "1 of leads not in " +
                               leads + ", 1 repeated event_id counted once\n"),
            std::string::npos)
      << predicted.err;

  const std::string no_ts = dir_.Write("no-ts.csv", "lead_id,type,when\nL1,page_view,2025-05-01\n");
  const std::string refused = no_ts + ":1: the header has no `ts` column";
  r = RunLeadscore(
      {"predict", "--model", trees, "--leads", leads, "--events", no_ts, "--as-of", "2025-06-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(refused), std::string::npos) << r.err;
  r = RunLeadscore({"train", "--leads", dir_.Write("h-leads.csv", h.leads), "--events", no_ts,
                    "--outcomes", outcomes, "--reference", "2025-06-01", "--out",
                    dir_.File("x.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(refused), std::string::npos) << r.err;
}

TEST_F(LearnCli, TreesTrainedOnHistoryScoreBesideTheRulesAsOfAnyTime) {
  // Converters sign on May 20th, before the reference: the trees learn it.
  const History h = LeakyHistory("2025-05-20");
  const std::string leads = dir_.Write("h-leads.csv", h.leads);
  const std::string events = dir_.Write("h-events.jsonl", h.events);
  auto r = RunLeadscore({"train", "--leads", leads, "--events", events, "--outcomes",
                         dir_.Write("h-outcomes.csv", h.outcomes), "--reference", "2025-06-01",
                         "--kind", "trees", "--out", dir_.File("trees.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string rules = dir_.Write("rules.yaml", R"(version: 1
engagement:
  rules:
    - {id: viewed, event: page_view, points: 5}
)");
  std::set<std::string> converters;
  std::string line;
  for (std::istringstream in(h.outcomes); std::getline(in, line);) {
    if (line.find(",won,") != std::string::npos) converters.insert(line.substr(0, line.find(',')));
  }
  auto mean_gap = [&](const std::map<std::string, std::string>& p) {
    double pos = 0, neg = 0;
    for (const auto& [id, cell] : p) (converters.contains(id) ? pos : neg) += std::stod(cell);
    const double n_pos = static_cast<double>(converters.size());
    return pos / n_pos - neg / (static_cast<double>(p.size()) - n_pos);
  };

  auto score = [&](const std::string& as_of, bool explain) {
    std::vector<std::string> args = {"score",
                                     "--model",
                                     rules,
                                     "--leads",
                                     leads,
                                     "--events",
                                     events,
                                     "--as-of",
                                     as_of,
                                     "--predictive",
                                     dir_.File("trees.json")};
    if (explain) args.push_back("--explain");
    auto s = RunLeadscore(args);
    EXPECT_EQ(s.exit_code, 0) << s.err;
    return s.out;
  };
  const std::string june = score("2025-06-01", true);
  EXPECT_EQ(june.substr(0, june.find('\n')),
            "lead_id,score,fit,engagement,grade,stage,reasons,probability,probability_reasons");
  const auto p_june = ColumnOf(june, "probability");
  ASSERT_EQ(p_june.size(), 600u);
  EXPECT_GT(mean_gap(p_june), 0.6) << "the signing before June 1st was not seen";
  // Each converter's largest contribution is its activity, and it pushes up.
  const auto why = ColumnOf(june, "probability_reasons");
  for (const std::string& id : converters) {
    const std::string& top = why.at(id);
    EXPECT_TRUE(top.starts_with("page_view.") || top.starts_with("contract_signed.")) << top;
    EXPECT_NE(top.substr(0, top.find(';')).find(":+"), std::string::npos) << top;
  }

  // Before May 20th nothing tells converters apart: the probability must not either. The
  // signing type has no event by then and still counts 0, as in training.
  const auto p_may = ColumnOf(score("2025-05-15", false), "probability");
  EXPECT_LT(std::abs(mean_gap(p_may)), 0.1) << "events after --as-of reached the prediction";

  // `predict` computes the same features from the same files.
  r = RunLeadscore({"predict", "--model", dir_.File("trees.json"), "--leads", leads, "--events",
                    events, "--as-of", "2025-06-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ColumnOf(r.out, "probability"), p_june);
  EXPECT_EQ(r.err.find("no --events"), std::string::npos) << r.err;
  // Without the events, every lead would read as having none: said, in predict and in score.
  const std::string no_events = "warning: the trees model counts each lead's events (`";
  r = RunLeadscore(
      {"predict", "--model", dir_.File("trees.json"), "--leads", leads, "--as-of", "2025-06-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(no_events), std::string::npos) << r.err;
  r = RunLeadscore({"score", "--model", rules, "--leads", leads, "--predictive",
                    dir_.File("trees.json"), "--as-of", "2025-06-01"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(no_events), std::string::npos) << r.err;

  // Without --leads there are no attributes to predict from: said before reading anything.
  r = RunLeadscore(
      {"score", "--model", rules, "--events", events, "--predictive", dir_.File("trees.json")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--predictive needs --leads"), std::string::npos) << r.err;
  r = RunLeadscore({"score", "--model", rules, "--leads", leads, "--predictive", rules});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not an XGBoost model"), std::string::npos) << r.err;
}

// Converters read the pricing pages, the others the blog, as often: only the url tells them
// apart, so a scorecard must count events by url group to rank them.
History PagesHistory() {
  std::mt19937_64 rng(9);
  History h{"lead_id,created_at\n", "", "lead_id,outcome,ts\n"};
  for (int i = 0; i < 400; ++i) {
    const std::string id = IdOf('P', i);
    const bool converts = rng() % 4 == 0;
    h.leads += id + ",2025-03-01T00:00:00Z\n";
    for (int k = static_cast<int>(1 + rng() % 4); k > 0; --k) {
      const std::string page = converts ? "https://site.example/pricing/team?k=" : "/blog/post-";
      h.events += "{\"lead_id\":\"" + id + "\",\"type\":\"page_view\",\"ts\":\"2025-05-1" +
                  std::to_string(k) + "T10:00:00Z\",\"url\":\"" + page + std::to_string(k) +
                  "\"}\n";
    }
    if (converts) h.outcomes += id + ",won,2025-07-01T00:00:00Z\n";
  }
  h.outcomes += "P0,lost,2025-12-31T00:00:00Z\n";
  return h;
}

TEST_F(LearnCli, AScorecardLearnedFromHistoryIsAModelTheEngineRuns) {
  for (const auto& [name, h] : {std::pair{std::string("signing"), LeakyHistory("2025-05-20")},
                                std::pair{std::string("pages"), PagesHistory()}}) {
    SCOPED_TRACE(name);
    const std::string leads = dir_.Write(name + "-leads.csv", h.leads);
    const std::string events = dir_.Write(name + "-events.jsonl", h.events);
    const std::string card = dir_.File(name + "-card.yaml");
    auto r = RunLeadscore({"train", "--leads", leads, "--events", events, "--outcomes",
                           dir_.Write(name + "-outcomes.csv", h.outcomes), "--reference",
                           "2025-06-01", "--kind", "scorecard", "--out", card});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto [model_auc, points_auc] = TrainingAucs(r.out);
    EXPECT_GT(model_auc, 0.9) << r.out;
    const std::string yaml = dir_.Read(name + "-card.yaml");
    EXPECT_NE(yaml.find("engagement:"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("      within: "), std::string::npos) << yaml;
    if (name == "pages") {
      EXPECT_NE(yaml.find("matches(url, "), std::string::npos) << yaml;
    }

    // Scored by the engine as of the reference, the file ranks the training leads as the
    // trainer said it would, and as the model does.
    r = RunLeadscore(
        {"score", "--model", card, "--leads", leads, "--events", events, "--as-of", "2025-06-01"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::pair<double, int>> scored;
    for (const auto& [id, score] : ColumnOf(r.out, "score")) {
      scored.emplace_back(std::stod(score), h.outcomes.find(id + ",won") != std::string::npos);
    }
    ASSERT_EQ(scored.size(), name == "pages" ? 400u : 600u);
    const double engine_auc = PairAuc(scored);
    EXPECT_NEAR(engine_auc, points_auc, 0.0005);
    EXPECT_GT(engine_auc, model_auc - 0.005);
  }
}

// The same history ingested into a store trains as the files do.
TEST_F(LearnCli, HistoryIsReadFromTheStore) {
  const History h = LeakyHistory("2025-05-20");
  const std::string db = dir_.File("history.db");
  auto r = RunLeadscore({"ingest", "--db", db, "--leads", dir_.Write("s-leads.csv", h.leads),
                         "--events", dir_.Write("s-events.jsonl", h.events), "--outcomes",
                         dir_.Write("s-outcomes.csv", h.outcomes)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunLeadscore({"evaluate", "--db", db, "--reference", "2025-06-01", "--folds", "3", "--kind",
                    "scorecard", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("history.db: 600 leads; 600 used"), std::string::npos) << r.err;
  EXPECT_GT(nlohmann::json::parse(r.out)["models"][0]["auc"].get<double>(), 0.95);

  r = RunLeadscore({"train", "--db", db, "--reference", "2025-06-01", "--kind", "trees", "--out",
                    dir_.File("store-trees.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(dir_.Read("store-trees.json").find("contract_signed.30d"), std::string::npos);

  r = RunLeadscore({"evaluate", "--db", dir_.File("nowhere.db")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no store at"), std::string::npos) << r.err;
  r = RunLeadscore({"evaluate", "--db", db, "--leads", dir_.File("s-leads.csv")});
  EXPECT_EQ(r.exit_code, 2) << "--db and --leads are two sources: " << r.err;
}

// A lead's reference is its created_at, else its first event: a lead without one does not move
// the others' to their first events. A lead known only from events is a row with null
// attributes, as in `score`; one known only from an outcome is none. A store keeps both as
// leads without attributes: the files and their store give the same rows, see the same events
// and write the same scorecard.
TEST_F(LearnCli, FilesAndTheirStoreGiveTheSameHistoryRows) {
  History h{"lead_id,size,industry,created_at\n", "", "lead_id,outcome,ts\n"};
  int event_id = 0;
  auto event = [&](const std::string& lead, const std::string& ts) {
    h.events += "{\"event_id\":\"e" + std::to_string(event_id++) + "\",\"lead_id\":\"" + lead +
                "\",\"type\":\"page_view\",\"ts\":\"" + ts + "\"}\n";
  };
  for (int i = 0; i < 30; ++i) {
    const std::string id = IdOf('A', i);
    h.leads += id + "," + std::to_string(10 + i % 7 * (i < 10 ? 30 : 3)) + "," +
               (i % 2 ? "IT" : "Retail") + ",2025-03-01T00:00:00Z\n";
    event(id, "2025-02-01T10:00:00Z");  // before its creation: seen
    event(id, "2025-02-01T11:00:00Z");  // seen too, though after its first event
    event(id, "2025-04-01T10:00:00Z");  // after: never seen
    if (i < 10) h.outcomes += id + ",won,2025-04-15T00:00:00Z\n";
  }
  h.leads += "B0,40,IT,\n";  // no created_at: its first event
  event("B0", "2025-03-10T10:00:00Z");
  event("B0", "2025-03-11T10:00:00Z");
  event("E0", "2025-03-05T10:00:00Z");  // known only from events
  event("E0", "2025-03-06T10:00:00Z");
  h.outcomes += "E0,won,2025-05-01T00:00:00Z\nA29,lost,2025-12-31T00:00:00Z\n";
  h.outcomes += "Z0,won,2025-05-01T00:00:00Z\n";  // no lead: a store keeps one, and no row
  const std::string leads = dir_.Write("h-leads.csv", h.leads);
  const std::string events = dir_.Write("h-events.jsonl", h.events);
  const std::string outcomes = dir_.Write("h-outcomes.csv", h.outcomes);
  const std::string counts =
      "32 used (11 positive: `won` within 90d of the reference), 0 "
      "converted before their reference, 0 with the horizon not over by "
      "2025-12-31T00:00:00Z, 0 without a reference, 0 created after the "
      "cut-off; 62 events counted, 32 after their lead's reference";
  auto r = RunLeadscore({"train", "--leads", leads, "--events", events, "--outcomes", outcomes,
                         "--kind", "scorecard", "--out", dir_.File("files.yaml")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("h-leads.csv: 31 leads and 1 known only from the events; " + counts),
            std::string::npos)
      << r.err;

  const std::string db = dir_.File("h.db");
  r = RunLeadscore(
      {"ingest", "--db", db, "--leads", leads, "--events", events, "--outcomes", outcomes});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunLeadscore({"train", "--db", db, "--kind", "scorecard", "--out", dir_.File("db.yaml")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("h.db: 31 leads and 1 known only from the events; " + counts),
            std::string::npos)
      << r.err;
  // The store holds one event per event_id: how many repeats ingest dropped, it cannot say.
  EXPECT_NE(r.err.find("(never seen), repeated event_ids were counted once when stored\n"),
            std::string::npos)
      << r.err;
  // The same scorecard, fields and rules in the order of the leads' columns, but for the line
  // naming its source.
  auto body = [&](const std::string& file) {
    const std::string text = dir_.Read(file);
    return text.substr(text.find('\n'));
  };
  EXPECT_EQ(body("files.yaml"), body("db.yaml"));
  const std::string written = dir_.Read("db.yaml");
  EXPECT_LT(written.find("size"), written.find("industry")) << written;

  // At a cut-off, E0's reference is the cut-off, not its first event; files and store agree.
  auto summary = [&](std::vector<std::string> source) {
    for (const char* flag :
         {"--reference", "2025-03-05T12:00:00Z", "--kind", "scorecard", "--out", "-"}) {
      source.push_back(flag);
    }
    const auto run = RunLeadscore(source);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    const size_t from = run.err.find(": ");
    return run.err.substr(from, run.err.find("(never seen)") - from);
  };
  const std::string at_cutoff =
      summary({"train", "--leads", leads, "--events", events, "--outcomes", outcomes});
  EXPECT_EQ(summary({"train", "--db", db}), at_cutoff);
  EXPECT_NE(at_cutoff.find("31 leads and 1 known only from the events; "), std::string::npos)
      << at_cutoff;
  // By 2025-03-05T12:00: A's two February events, B0's none, E0's first.
  EXPECT_NE(at_cutoff.find("61 events counted"), std::string::npos) << at_cutoff;
}

// Every lead books a demo (its MQL under the rules below) on its own day; the converters looked
// at pricing the day before, the others the day after. Only features as of each lead's MQL tell
// them apart: as of creation nobody has looked, and as of a cut-off after it all have.
TEST_F(LearnCli, FirstMqlIsEachLeadsOwnReference) {
  std::string leads = "lead_id,created_at\n", events, outcomes = "lead_id,outcome,ts\n";
  auto day = [](int d) {
    char text[32];
    std::snprintf(text, sizeof text, "2025-%02d-%02dT12:00:00Z", 3 + d / 28, 1 + d % 28);
    return std::string(text);
  };
  for (int i = 0; i < 120; ++i) {
    const std::string id = IdOf('M', i);
    const bool converts = i % 3 == 0;
    const int demo = 10 + (i * 7) % 90;
    leads += id + ",2025-02-01T00:00:00Z\n";
    auto event = [&](const std::string& type, int d) {
      events += "{\"lead_id\":\"" + id + "\",\"type\":\"" + type + "\",\"ts\":\"" + day(d) +
                "\",\"url\":\"/pricing\"}\n";
    };
    event("page_view", converts ? demo - 1 : demo + 1);
    event("demo", demo);
    if (converts) outcomes += id + ",won," + day(demo + 20) + "\n";
  }
  outcomes += "M1,lost,2025-12-31T00:00:00Z\n";
  const std::string rules = dir_.Write("stages.yaml", R"(version: 1
engagement:
  rules:
    - {id: demo, event: demo, points: 50}
stages:
  - {id: MQL, when: score >= 50}
)");
  std::vector<std::string> args = {"evaluate",
                                   "--leads",
                                   dir_.Write("m-leads.csv", leads),
                                   "--events",
                                   dir_.Write("m-events.jsonl", events),
                                   "--outcomes",
                                   dir_.Write("m-outcomes.csv", outcomes),
                                   "--folds",
                                   "3",
                                   "--kind",
                                   "scorecard",
                                   "--format",
                                   "json"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> all = args;
    all.insert(all.end(), more.begin(), more.end());
    return RunLeadscore(all);
  };
  auto r = with({"--reference", "first:MQL", "--stages-model", rules, "--horizon", "60d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("120 leads reached MQL"), std::string::npos) << r.err;
  EXPECT_GT(nlohmann::json::parse(r.out)["models"][0]["auc"].get<double>(), 0.95) << r.err;
  r = with({"--reference", "created", "--horizon", "200d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(nlohmann::json::parse(r.out)["models"][0]["auc"].get<double>(), 0.7) << r.err;

  r = with({"--reference", "first:SQL", "--stages-model", rules});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("the model has no stage `SQL` (its stages: MQL)"), std::string::npos)
      << r.err;
  r = with({"--reference", "first-mql"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--stages-model"), std::string::npos) << r.err;
}

// A stage model under which a lead's demo makes it an MQL.
constexpr const char* kDemoIsMql = R"(version: 1
engagement:
  rules:
    - {id: demo, event: demo, points: 50}
stages:
  - {id: MQL, when: score >= 50}
)";

// Numeric ids name the same leads in every file and in the stage replay: the CSV cell 1007, the
// JSON number 1007 in the events, the training set's id "1007" (the replay once keyed them
// "1007.0", so no lead had a reference).
TEST_F(LearnCli, FirstMqlFindsLeadsWithNumericIds) {
  std::string leads = "lead_id,created_at\n", events, outcomes = "lead_id,outcome,ts\n";
  for (int i = 0; i < 90; ++i) {
    const std::string id = std::to_string(1000 + i);
    const bool converts = i % 3 == 0;
    const int day = 2 + i % 20;
    leads += id + ",2025-02-01T00:00:00Z\n";
    events += "{\"lead_id\":" + id + R"(,"type":"demo","ts":"2025-03-)" + (day < 10 ? "0" : "") +
              std::to_string(day) + "T12:00:00Z\"}\n";
    if (converts) outcomes += id + ",won,2025-04-15T00:00:00Z\n";
  }
  outcomes += "1001,lost,2025-12-31T00:00:00Z\n";
  auto r = EvaluateFromFirstMql("n", leads, events, outcomes, kDemoIsMql, {"--horizon", "60d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("90 leads reached MQL"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("90 used (30 positive"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("0 without a reference"), std::string::npos) << r.err;
}

// An event_id read before is the same event sent again, whichever lead the copy names (as in
// batch, SCORING.md): a demo that repeats another lead's event_id does not make its lead an
// MQL. Every third lead's demo is such a copy; the others' count.
TEST_F(LearnCli, FirstMqlCountsAnEventIdOnceAcrossLeads) {
  std::string leads = "lead_id,created_at\n", events, outcomes = "lead_id,outcome,ts\n";
  for (int i = 0; i < 90; ++i) {
    const std::string id = "L" + std::to_string(1000 + i);
    leads += id + ",2025-02-01T00:00:00Z\n";
    const std::string event_id = i % 3 == 0 ? "copied" : "d" + std::to_string(i);
    events += R"({"event_id":")" + event_id + R"(","lead_id":")" + id +
              (i == 0 ? R"(","type":"view")" : R"(","type":"demo")") +
              R"(,"ts":"2025-03-02T12:00:00Z"})" + "\n";
    if (i % 2 == 0) outcomes += id + ",won,2025-04-15T00:00:00Z\n";
  }
  outcomes += "L1001,lost,2025-12-31T00:00:00Z\n";
  auto r =
      EvaluateFromFirstMql("copies", leads, events, outcomes, kDemoIsMql, {"--horizon", "60d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("60 leads reached MQL"), std::string::npos) << r.err;
}

// The stage model reads a CSV leads file as `leadscore score` does: an undeclared numeric
// attribute is a number, so a fit rule on it holds when the lead's first MQL is found.
TEST_F(LearnCli, FirstMqlReadsCsvAttributesAsScoringDoes) {
  std::string leads = "lead_id,employees,created_at\n", events, outcomes = "lead_id,outcome,ts\n";
  for (int i = 0; i < 60; ++i) {
    const std::string id = IdOf('B', i);
    leads += id + (i % 2 ? ",500" : ",5") + ",2025-02-01T00:00:00Z\n";
    events += "{\"lead_id\":\"" + id + "\",\"type\":\"page_view\",\"ts\":\"2025-03-0" +
              std::to_string(1 + i % 9) + "T10:00:00Z\"}\n";
    if (i % 4 == 1) outcomes += id + ",won,2025-04-01T00:00:00Z\n";
  }
  outcomes += "B0,lost,2025-12-31T00:00:00Z\n";
  auto r = EvaluateFromFirstMql("b", leads, events, outcomes, R"(version: 1
fit:
  rules:
    - {id: big, when: employees >= 100, points: 60}
engagement:
  rules:
    - {id: seen, event: page_view, points: 10}
stages:
  - {id: MQL, when: score >= 70}
)");
  EXPECT_NE(r.err.find("30 leads reached MQL"), std::string::npos) << r.err;
}

TEST_F(LearnCli, ATableWhereNothingVariesIsAClearAnswerNotACrash) {
  std::string csv = "id,c,y\n";
  for (int i = 0; i < 60; ++i) csv += std::to_string(i) + ",same," + std::to_string(i % 2) + "\n";
  const std::string flat = dir_.Write("flat.csv", csv);
  auto r = RunLeadscore({"evaluate", "--table", flat, "--label", "y", "--positive", "1", "--drop",
                         "id", "--kind", "scorecard", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(nlohmann::json::parse(r.out)["models"][0]["auc"].get<double>(), 0.5, 1e-9);
  r = RunLeadscore({"train", "--table", flat, "--label", "y", "--positive", "1", "--drop", "id",
                    "--out", dir_.File("flat.yaml")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no column varies enough to learn from"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("flat.yaml")));
}

// Lead attributes a model cannot name are left out of training on history too, and said to
// be, at the header's line; the scorecard written loads.
TEST_F(LearnCli, HistoryLeadColumnsAModelCannotNameAreSaidToBeLeftOut) {
  const History h = LeakyHistory("2025-05-20");
  std::string leads;
  std::istringstream lines(h.leads);
  for (std::string line; std::getline(lines, line);) {
    leads += line + (leads.empty() ? ",a`b,\n" : ",1,\n");
  }
  const std::string leads_csv = dir_.Write("odd-leads.csv", leads);
  const std::string card = dir_.File("odd-card.yaml");
  auto r = RunLeadscore({"train", "--leads", leads_csv, "--events",
                         dir_.Write("odd-events.jsonl", h.events), "--outcomes",
                         dir_.Write("odd-outcomes.csv", h.outcomes), "--reference", "2025-06-01",
                         "--kind", "scorecard", "--out", card});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(leads_csv + ":1: column 4, \"a`b\", has a backtick (`) in its name"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(leads_csv + ":1: column 5 has no name, so it is not a feature"),
            std::string::npos)
      << r.err;
  r = RunLeadscore({"check", card});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(LearnCli, HistoryModeErrorsAreClear) {
  const History h = LeakyHistory("2025-06-02");
  const std::string leads = dir_.Write("leads.csv", h.leads);
  const std::string events = dir_.Write("events.jsonl", h.events);
  const std::string outcomes = dir_.Write("outcomes.csv", h.outcomes);
  auto r = RunLeadscore({"evaluate", "--leads", leads, "--events", events, "--outcomes", outcomes,
                         "--outcome", "Won", "--reference", "2025-06-01"});
  EXPECT_EQ(r.exit_code, 1);
  // The outcomes there are, as a label's values are listed in table mode.
  EXPECT_NE(r.err.find("no outcome is `Won` (check --outcome: it must be written as in the file); "
                       "its outcomes, most frequent first: `won` "),
            std::string::npos)
      << r.err;
  // An outcome row with no outcome is reported and skipped, as one without a time is.
  const std::string blank =
      dir_.Write("blank-outcome.csv", h.outcomes + "L1,,2025-06-20T00:00:00Z\n");
  r = RunLeadscore({"train", "--leads", leads, "--events", events, "--outcomes", blank,
                    "--reference", "2025-06-01", "--kind", "scorecard", "--out", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const size_t blank_line = std::count(h.outcomes.begin(), h.outcomes.end(), '\n') + 1;
  EXPECT_NE(r.err.find(blank + ":" + std::to_string(blank_line) +
                       ": field `outcome`: missing outcome; row skipped"),
            std::string::npos)
      << r.err;
  r = RunLeadscore({"evaluate", "--leads", leads, "--events", events, "--outcomes", outcomes,
                    "--horizon", "soon"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--horizon: cannot read \"soon\" as a duration"), std::string::npos);
  r = RunLeadscore({"evaluate", "--label", "x"});
  EXPECT_NE(r.exit_code, 0);
  // A reference before every lead was created leaves none: where each lead went is said, and
  // the counts add up to the leads read.
  r = RunLeadscore({"train", "--leads", leads, "--events", events, "--outcomes", outcomes,
                    "--reference", "2024-01-01", "--out", dir_.path() + "/none.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("0 of the 600 leads read are usable for training (left out: 600 created "
                       "after their reference (not leads yet)); at least 20 are needed"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace leadscore
