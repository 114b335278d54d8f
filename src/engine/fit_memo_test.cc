#include "engine/fit_memo.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/scorer.h"
#include "model/loader.h"

namespace leadscore::engine {
namespace {

std::shared_ptr<const CompiledModel> Build(const std::string& yaml) {
  auto compiled = CompileModelText(yaml, "m.yaml");
  EXPECT_TRUE(compiled) << (compiled ? "" : model::FormatDiagnostics(compiled.error()));
  return *compiled;
}

// The fit of `attributes` from each rule's own condition, run every time.
double FitByEveryRule(const CompiledModel& model, std::span<const Value> attributes, AsOf as_of) {
  Scorer plain(model);
  double sum = 0;
  for (uint32_t r = 0; r < model.fit_rules().size(); ++r) {
    if (plain.FitRuleHolds(r, attributes, as_of)) sum += model.fit_rules()[r].points;
  }
  return std::clamp(sum, 0.0, 100.0);
}

constexpr const char* kModel = R"(
fields: {job_title: string, country: string, email: string, size: number, created: string}
fit:
  rules:
    - {id: head, when: 'contains(lower(job_title), "head")', points: 12}
    - {id: vp, when: 'starts_with(job_title, "VP")', points: 7}
    - {id: fr, when: 'country == "FR"', points: 10}
    - {id: free, when: 'domain(email) in ["gmail.com"]', points: -5}
    - {id: fr_sme, when: 'country == "FR" and size < 50', points: 3}
    - {id: recent, when: 'days_since(created) < 30', points: 20}
    - {id: always, points: 2}
)";

TEST(FitMemo, FitIsWhatEveryConditionSaysForRepeatedAndUniqueValues) {
  auto m = Build(kModel);
  Scorer scorer(*m);
  const std::vector<Value> titles = {Value::String("Head of IT"),
                                     Value::String("head of it"),
                                     Value::String("VP Sales"),
                                     Value::String("Student"),
                                     Value::Null(),
                                     Value::Number(42)};
  const std::vector<Value> countries = {Value::String("FR"), Value::String("fr"),
                                        Value::String("DE"), Value::Null()};
  const AsOf as_of{*ParseTimestamp("2026-01-01T00:00:00Z")};
  // Unique e-mails (their memo fills at 4,096 and is given up a window of lookups later) and
  // repeated titles, countries and dates.
  for (int i = 0; i < 10000; ++i) {
    const std::string email = std::to_string(i).append(i % 3 == 0 ? "@gmail.com" : "@acme.io");
    std::vector<Value> lead = {
        titles[static_cast<size_t>(i) % titles.size()],
        countries[static_cast<size_t>(i / 7) % countries.size()],
        Value::String(email),  // a view of `email`
        Value::Number(i % 100),
        Value::String(i % 2 == 0 ? "2025-12-20" : "2025-06-01"),
    };
    ASSERT_EQ(scorer.Fit(lead, as_of), FitByEveryRule(*m, lead, as_of)) << "lead " << i;
  }
}

TEST(FitMemo, AnotherAsOfTimeIsNotAnsweredFromTheMemo) {
  auto m = Build(kModel);
  Scorer scorer(*m);
  std::vector<Value> lead = {Value::Null(), Value::Null(), Value::Null(), Value::Null(),
                             Value::String("2025-12-20")};
  const AsOf early{*ParseTimestamp("2026-01-01T00:00:00Z")};
  const AsOf late{*ParseTimestamp("2026-03-01T00:00:00Z")};
  EXPECT_EQ(scorer.Fit(lead, early), 2 + 20);
  EXPECT_EQ(scorer.Fit(lead, late), 2);
  EXPECT_EQ(scorer.Fit(lead, early), 2 + 20);
}

TEST(FitMemo, AForcedRuleHoldsWhateverTheMemoKnows) {
  auto m = Build(kModel);
  Scorer scorer(*m);
  std::vector<Value> lead = {Value::String("Student"), Value::String("DE"), Value::Null(),
                             Value::Null(), Value::Null()};
  const AsOf as_of{*ParseTimestamp("2026-01-01T00:00:00Z")};
  EXPECT_EQ(scorer.Fit(lead, as_of), 2);
  scorer.ForceFitRule(0);  // head
  EXPECT_EQ(scorer.Fit(lead, as_of), 2 + 12);
  scorer.ForceFitRule(-1);
  EXPECT_EQ(scorer.Fit(lead, as_of), 2);
}

}  // namespace
}  // namespace leadscore::engine
