// The features a user adds to `train` and `evaluate`: derived columns of a feature config
// (`--features`), and the rule contributions of the model in use today (`--model`). Each test
// builds data whose signal only that feature can see, so the check can fail: the learners must
// find it with the feature and not without, and `predict`, `score --predictive` and the written
// scorecard must compute it again on new leads.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "cli/learn_cli_util.h"
#include "testutil/cli_runner.h"

namespace leadscore {
namespace {

using testutil::RunLeadscore;
using testutil::TempDir;

// Leads whose conversion depends on a business email domain and a UK phone number, both unique
// per lead (so neither column is learnable as it is), and a little on visits.
struct Leads {
  std::string csv;
  std::map<std::string, int> label;
};

Leads MakeLeads(uint64_t seed, int n = 2000) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  Leads t;
  t.csv = "lead_id,email,phone,visits,converted\n";
  for (int i = 0; i < n; ++i) {
    const bool business = rng() % 2 == 0;
    const bool uk = rng() % 3 == 0;
    const int visits = static_cast<int>(rng() % 12);
    const double z = -2.5 + 2.5 * business + 2.5 * uk + 0.1 * visits;
    const int y = unit(rng) < 1 / (1 + std::exp(-z)) ? 1 : 0;
    std::string id = "S";
    id += std::to_string(seed) + "-" + std::to_string(i);
    const std::string domain = business ? "firm" + std::to_string(rng() % 300) + ".com"
                                        : (rng() % 2 ? "gmail.com" : "yahoo.com");
    const std::string phone = (uk ? "+44 20 " : (rng() % 2 ? "+1 415 " : "+49 30 ")) +
                              std::to_string(1000000 + rng() % 8999999);
    t.label[id] = y;
    t.csv += id + ",person" + std::to_string(i) + "@" + domain + "," + phone + "," +
             (i % 23 == 0 ? "" : std::to_string(visits)) + "," + std::to_string(y) + "\n";
  }
  return t;
}

// The AUC of a probability (or score) column of a CSV output against the leads' labels.
double AucOf(const std::map<std::string, std::string>& column,
             const std::map<std::string, int>& label) {
  std::vector<std::pair<double, int>> scored;
  for (const auto& [id, cell] : column) scored.emplace_back(std::stod(cell), label.at(id));
  return PairAuc(scored);
}

// The model AUC `train --kind scorecard` prints, and the written points' AUC.
std::pair<double, double> ScorecardAucs(const std::string& out) {
  const size_t at = out.find("training AUC: ");
  if (at == std::string::npos) return {0, 0};
  return {std::stod(out.substr(at + 14)), std::stod(out.substr(out.find("(model), ", at) + 9))};
}

class LearnFeatures : public testing::Test {
 protected:
  void SetUp() override {
    leads_ = MakeLeads(1);
    path_ = dir_.Write("leads.csv", leads_.csv);
    fresh_ = MakeLeads(2);
    fresh_path_ = dir_.Write("fresh.csv", fresh_.csv);
  }
  std::vector<std::string> Train(const std::string& kind, const std::string& out) const {
    return {"train", "--table", path_, "--label", "converted", "--positive",
            "1",     "--kind",  kind,  "--out",   out};
  }

  TempDir dir_;
  Leads leads_, fresh_;
  std::string path_, fresh_path_;
};

TEST_F(LearnFeatures, DerivedColumnsAreLearnedAndWrittenAsRules) {
  const std::string config = dir_.Write("features.yaml", R"(# what the domain says
exclude: [lead_id, email, phone]
derived:
  - name: business_email
    expr: 'not (domain(email) in ["gmail.com", "yahoo.com"])'
  - name: visits_halved
    expr: visits / 2
)");
  const std::string card = dir_.File("card.yaml");
  auto with = Train("scorecard", card);
  with.insert(with.end(), {"--features", config});
  auto r = RunLeadscore(with);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto [model_auc, points_auc] = ScorecardAucs(r.out);

  auto without = Train("scorecard", dir_.File("plain.yaml"));
  without.insert(without.end(), {"--drop", "lead_id,email,phone"});
  auto plain = RunLeadscore(without);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_GT(model_auc, ScorecardAucs(plain.out).first + 0.08) << r.out << plain.out;

  // The derived column is its expression in the file, over a declared email field; the
  // excluded columns are no feature of their own.
  const std::string yaml = dir_.Read("card.yaml");
  EXPECT_NE(yaml.find("domain(email) in [\"gmail.com\", \"yahoo.com\"]"), std::string::npos)
      << yaml;
  EXPECT_NE(yaml.find("\"email\": string"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("(visits / 2)"), std::string::npos) << yaml;
  EXPECT_EQ(yaml.find("phone"), std::string::npos) << yaml;
  // `leadscore score` computes the expression from each lead: the printed AUC comes back.
  auto scored = RunLeadscore({"score", "--model", card, "--leads", path_, "--format", "csv"});
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  EXPECT_NEAR(AucOf(ColumnOf(scored.out, "score"), leads_.label), points_auc, 1e-4);
  EXPECT_NEAR(points_auc, model_auc, 0.005);
}

TEST_F(LearnFeatures, TreesComputeTheirDerivedColumnsOnNewLeads) {
  const std::string config = dir_.Write("features.yaml", R"(exclude: [lead_id, email, phone]
derived:
  - {name: business_email, expr: 'not (domain(email) in ["gmail.com", "yahoo.com"])'}
  - {name: visits_halved, expr: visits / 2}
)");
  const std::string trees = dir_.File("trees.json");
  auto args = Train("trees", trees);
  args.insert(args.end(), {"--features", config});
  auto r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(dir_.Read("trees.json").find("leadscore_derived"), std::string::npos);

  // Leads the trees never saw: the email's domain still tells.
  r = RunLeadscore({"predict", "--model", trees, "--leads", fresh_path_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(AucOf(ColumnOf(r.out, "probability"), fresh_.label), 0.72);

  // One lead alone, its visits missing: the column is read as the number it was in training
  // (a file of one empty cell would otherwise be a column of text), so the lead gets the same
  // probability as among others.
  const std::string one = dir_.Write(
      "one.jsonl", "{\"lead_id\":\"x\",\"email\":\"a@firm1.com\",\"phone\":\"+1 415 1\"}\n");
  const std::string many = dir_.Write("many.csv",
                                      "lead_id,email,phone,visits\n"
                                      "x,a@firm1.com,+1 415 1,\n"
                                      "y,b@gmail.com,+1 415 2,4\n");
  auto alone = RunLeadscore({"predict", "--model", trees, "--leads", one});
  auto among = RunLeadscore({"predict", "--model", trees, "--leads", many});
  ASSERT_EQ(alone.exit_code, 0) << alone.err;
  ASSERT_EQ(among.exit_code, 0) << among.err;
  EXPECT_EQ(ColumnOf(alone.out, "probability").at("x"), ColumnOf(among.out, "probability").at("x"));
  EXPECT_NE(ColumnOf(among.out, "probability").at("x"), ColumnOf(among.out, "probability").at("y"));
}

TEST_F(LearnFeatures, FeatureConfigMistakesAreClearErrors) {
  auto run = [&](const std::string& name, const std::string& text) {
    auto args = Train("scorecard", dir_.File("out.yaml"));
    args.insert(args.end(), {"--features", dir_.Write(name, text)});
    return RunLeadscore(args);
  };
  struct Case {
    std::string text, message;
  };
  const std::vector<Case> cases = {
      {"exclude: [lead_id]\nderive:\n  - {name: a, expr: '1'}\n",
       "c1.yaml:2:1: unknown key `derive` (a feature config has exclude, derived)"},
      {"derived:\n  - {name: a, expr: 'visits +'}\n", "derived column `a`, expr column"},
      {"derived:\n  - {name: a, expr: 'vists * 2'}\n",
       "derived column `a`, expr column 1: no column `vists` (columns: lead_id, email, phone, "
       "visits)"},
      {"derived:\n  - {name: a, expr: 'email * 2'}\n", "derived column `a`, expr column"},
      {"derived:\n  - {name: visits, expr: '1 + 1'}\n",
       "derived column `visits`: the table already has a column of that name"},
      {"derived:\n  - {name: a}\n", "a derived column needs both `name` and `expr`"},
      {"derived:\n  - {name: a, expr: '1'}\n  - {name: a, expr: '2'}\n",
       "derived column `a` is defined twice"},
      {"exclude: [nope]\n", "`nope` (--drop, or exclude in --features) is not a column"},
      {"derived: [\n", "c9.yaml:"},
      // A second document would go unread: refused where it starts, as in every YAML file.
      {"exclude: [email]\n---\nexclude: [phone]\n",
       "c10.yaml:2:1: this file holds one YAML document; another starts here (after `---`)"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string name = "c";
    name += std::to_string(i + 1);
    const auto r = run(name + ".yaml", cases[i].text);
    EXPECT_EQ(r.exit_code, 1) << cases[i].text;
    EXPECT_NE(r.err.find(cases[i].message), std::string::npos) << cases[i].text << r.err;
  }
  auto missing = Train("scorecard", dir_.File("out.yaml"));
  missing.insert(missing.end(), {"--features", dir_.File("absent.yaml")});
  const auto r = RunLeadscore(missing);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("absent.yaml: cannot open a feature config: No such file or directory"),
            std::string::npos)
      << r.err;
}

constexpr char kPhoneRules[] = R"(version: 1
fit:
  rules:
    - {id: uk, when: 'starts_with(phone, "+44")', points: 40}
    - {id: engaged, when: 'visits >= 6', points: 20}
)";

TEST_F(LearnFeatures, TheRulesInUseAreFeaturesOfTheTrees) {
  const std::string rules = dir_.Write("rules.yaml", kPhoneRules);
  auto evaluate = [&](bool rule_features) {
    std::vector<std::string> args = {"evaluate", "--table",   path_,
                                     "--label",  "converted", "--positive",
                                     "1",        "--drop",    "lead_id,email,phone",
                                     "--model",  rules,       "--kind",
                                     "trees",    "--folds",   "3",
                                     "--format", "json"};
    if (!rule_features) args.push_back("--no-rule-features");
    auto r = RunLeadscore(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["models"][0]["name"], "rules");
    return std::make_pair(j["models"][0]["auc"].get<double>(), j["models"][1]["auc"].get<double>());
  };
  // The phone is dropped, but the rule that reads it still sees it: the trees learn from the
  // rule what the column alone could not give them.
  const auto [rules_auc, trees_auc] = evaluate(true);
  const auto [rules_auc_again, trees_alone] = evaluate(false);
  EXPECT_DOUBLE_EQ(rules_auc, rules_auc_again);
  EXPECT_GT(trees_auc, trees_alone + 0.05);
  EXPECT_GT(trees_auc, rules_auc);

  const std::string trees = dir_.File("trees.json");
  auto args = Train("trees", trees);
  args.insert(args.end(), {"--drop", "lead_id,email,phone", "--model", rules});
  auto r = RunLeadscore(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("rule features"), std::string::npos) << r.err;
  const std::string saved = dir_.Read("trees.json");
  EXPECT_NE(saved.find("rule:uk"), std::string::npos);
  EXPECT_NE(saved.find("leadscore_rule_model"), std::string::npos);
  // The model carries the rules: predicting needs no rule file, and new leads get them.
  r = RunLeadscore({"predict", "--model", trees, "--leads", fresh_path_, "--explain"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(AucOf(ColumnOf(r.out, "probability"), fresh_.label), 0.7);
  EXPECT_NE(r.out.find("rule:uk:"), std::string::npos) << "no lead explained by its UK rule";
}

// Leads who attend webinars; those who convert attended one on pricing on `pricing_day`, the
// others only introductions. Event counts cannot tell the topics apart; a rule on the topic can.
struct History {
  std::string leads, events, outcomes;
};

History WebinarHistory(const std::string& pricing_day) {
  std::mt19937_64 rng(3);
  History h{"lead_id,region,created_at\n", "", "lead_id,outcome,ts\n"};
  for (int i = 0; i < 500; ++i) {
    std::string id = "W";
    id += std::to_string(i);
    const bool converts = rng() % 10 < 3;
    h.leads += id + "," + (rng() % 2 ? "EU" : "US") + ",2025-02-01T00:00:00Z\n";
    auto webinar = [&](const std::string& topic, const std::string& ts) {
      h.events += "{\"lead_id\":\"" + id + "\",\"type\":\"webinar\",\"ts\":\"" + ts +
                  "\",\"topic\":\"" + topic + "\"}\n";
    };
    webinar("intro", "2025-05-0" + std::to_string(1 + rng() % 9) + "T10:00:00Z");
    webinar(converts ? "pricing" : "intro", pricing_day + "T10:00:00Z");
    if (converts) h.outcomes += id + ",won,2025-07-15T00:00:00Z\n";
  }
  h.outcomes += "W0,lost,2025-12-31T00:00:00Z\n";  // the data runs to the end of the year
  return h;
}

constexpr char kWebinarRules[] = R"(version: 1
engagement:
  rules:
    - {id: pricing_webinar, event: webinar, when: 'topic == "pricing"', points: 30}
    - {id: any_webinar, event: webinar, points: 5}
)";

TEST_F(LearnFeatures, RuleFeaturesFromHistoryAreTakenAtTheReference) {
  const std::string rules = dir_.Write("webinar-rules.yaml", kWebinarRules);
  auto evaluate = [&](const History& h, const std::string& name, bool with_rules) {
    std::vector<std::string> args = {"evaluate",
                                     "--leads",
                                     dir_.Write(name + "-leads.csv", h.leads),
                                     "--events",
                                     dir_.Write(name + "-events.jsonl", h.events),
                                     "--outcomes",
                                     dir_.Write(name + "-outcomes.csv", h.outcomes),
                                     "--reference",
                                     "2025-06-01",
                                     "--kind",
                                     "trees",
                                     "--folds",
                                     "3",
                                     "--format",
                                     "json"};
    if (with_rules) args.insert(args.end(), {"--model", rules});
    auto r = RunLeadscore(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out)["models"].back()["auc"].get<double>();
  };
  // Pricing webinars before the reference: only the rule sees the topic.
  const History before = WebinarHistory("2025-05-20");
  EXPECT_GT(evaluate(before, "before", true), 0.9);
  EXPECT_LT(evaluate(before, "before", false), 0.7);
  // After it: the rule's contribution is taken as of each lead's reference, so nothing leaks.
  EXPECT_LT(evaluate(WebinarHistory("2025-06-10"), "after", true), 0.65);

  // Trained, then scored beside the rules at two times: the probability follows what the rule
  // gave each lead by then, in `predict` and `score --predictive` alike.
  const std::string leads = dir_.Write("t-leads.csv", before.leads);
  const std::string events = dir_.Write("t-events.jsonl", before.events);
  const std::string trees = dir_.File("webinar-trees.json");
  auto r = RunLeadscore({"train", "--leads", leads, "--events", events, "--outcomes",
                         dir_.Write("t-outcomes.csv", before.outcomes), "--reference", "2025-06-01",
                         "--model", rules, "--kind", "trees", "--out", trees});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, int> label;
  for (const auto& [id, _] : ColumnOf(before.leads, "region")) label[id] = 0;
  for (const auto& [id, outcome] : ColumnOf(before.outcomes, "outcome")) {
    if (outcome == "won") label[id] = 1;
  }
  auto predict = [&](const std::string& as_of) {
    auto p = RunLeadscore(
        {"predict", "--model", trees, "--leads", leads, "--events", events, "--as-of", as_of});
    EXPECT_EQ(p.exit_code, 0) << p.err;
    return ColumnOf(p.out, "probability");
  };
  const auto june = predict("2025-06-01");
  EXPECT_GT(AucOf(june, label), 0.95);
  EXPECT_LT(AucOf(predict("2025-05-15"), label), 0.65) << "a webinar after --as-of was seen";
  auto s = RunLeadscore({"score", "--model", rules, "--leads", leads, "--events", events, "--as-of",
                         "2025-06-01", "--predictive", trees});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(ColumnOf(s.out, "probability"), june);
}

}  // namespace
}  // namespace leadscore
