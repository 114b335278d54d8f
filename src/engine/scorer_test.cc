#include "engine/scorer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "model/loader.h"

namespace leadscore::engine {
namespace {

std::shared_ptr<const CompiledModel> Build(const std::string& yaml) {
  auto compiled = CompileModelText(yaml, "m.yaml");
  EXPECT_TRUE(compiled) << (compiled ? "" : model::FormatDiagnostics(compiled.error()));
  return *compiled;
}

constexpr Timestamp kDay = kMicrosPerDay;

TEST(Scorer, HalfLifeSumIsIndependentOfEventOrder) {
  auto m = Build(R"(
engagement:
  decay: {half_life: 10d}
  rules:
    - {id: pv, event: pv, points: 8}
)");
  Scorer scorer(*m);
  StateTable a(*m, 30 * kDay), b(*m, 20 * kDay);  // any reference gives the same values
  uint32_t la = a.AddLead(), lb = b.AddLead();
  std::vector<Timestamp> times = {0, 5 * kDay, 20 * kDay, 3 * kDay};
  for (Timestamp t : times) scorer.Apply(a, la, {0, t, {}}, {});
  for (auto it = times.rbegin(); it != times.rend(); ++it) scorer.Apply(b, lb, {0, *it, {}}, {});
  AsOf as_of{30 * kDay};
  double expected = 8 * (std::exp2(-3.0) + std::exp2(-2.5) + std::exp2(-1.0) + std::exp2(-2.7));
  EXPECT_NEAR(scorer.RuleContribution(a, la, 0, as_of), expected, 1e-12);
  EXPECT_NEAR(scorer.RuleContribution(b, lb, 0, as_of), expected, 1e-12);
}

TEST(Scorer, CountWindowKeepsTheNewestTimestamps) {
  auto m = Build(R"(
engagement:
  rules:
    - {id: burst, event: pv, points: 15, count: 3, within: 7d}
)");
  Scorer scorer(*m);
  StateTable s(*m, 0);
  uint32_t lead = s.AddLead();
  for (Timestamp t : {1 * kDay, 9 * kDay, 2 * kDay, 8 * kDay})
    scorer.Apply(s, lead, {0, t, {}}, {});
  // Newest three: 9, 8, 2 -> the third is 7 days before day 9 only at as-of < day 9.
  EXPECT_EQ(scorer.RuleContribution(s, lead, 0, AsOf{9 * kDay}), 0);
  scorer.Apply(s, lead, {0, 7 * kDay, {}}, {});
  EXPECT_EQ(scorer.RuleContribution(s, lead, 0, AsOf{9 * kDay}), 15);
  EXPECT_EQ(scorer.RuleContribution(s, lead, 0, AsOf{14 * kDay - 1}), 15);
  EXPECT_EQ(scorer.RuleContribution(s, lead, 0, AsOf{14 * kDay}), 0);  // a < within is strict
}

}  // namespace
}  // namespace leadscore::engine

namespace leadscore::engine {
namespace {

TEST(Scorer, MemoizedMatchesFollowThePropertyValueAndTheAsOfTime) {
  auto m = CompileModelText(R"(
fields: {published: time}
engagement:
  rules:
    - {id: any, event: download, points: 1}
    - {id: fresh, event: download, when: days_since(published) < 7, points: 2}
    - {id: old, event: download, when: days_since(published) >= 30, points: 3}
)",
                            "m.yaml");
  ASSERT_TRUE(m);
  ASSERT_EQ((*m)->MemoSlot(0), 0);
  Scorer scorer(**m);
  // Strings are memoized; the value here is a time, so build the string form as CSV gives it.
  Value fresh_text = Value::String("2024-02-28");
  Value jan = Value::Time(*ParseTimestamp("2024-01-01"));
  const Timestamp march = *ParseTimestamp("2024-03-01");
  EXPECT_EQ(scorer.MatchEvent({0, 0, std::span<const Value>(&fresh_text, 1), march}), 0b011u);
  EXPECT_EQ(scorer.MatchEvent({0, 0, std::span<const Value>(&fresh_text, 1), march}), 0b011u);
  EXPECT_EQ(scorer.MatchEvent({0, 0, std::span<const Value>(&jan, 1), march}), 0b101u);
  // A later as-of time changes the answer for the same value: the memo must not hold it.
  const Timestamp april = *ParseTimestamp("2024-04-01");
  EXPECT_EQ(scorer.MatchEvent({0, 0, std::span<const Value>(&fresh_text, 1), april}), 0b101u);
}

TEST(Scorer, EventsMatchTheSameWhenEveryValueIsNewAndTheMemoGivesUp) {
  auto m = CompileModelText(R"(
engagement:
  rules:
    - {id: any, event: pv, points: 1}
    - {id: pricing, event: pv, when: 'contains(url, "/pricing")', points: 2}
    - {id: blog, event: pv, when: 'starts_with(url, "/blog/")', points: 3}
)",
                            "m.yaml");
  ASSERT_TRUE(m);
  ASSERT_EQ((*m)->MemoSlot(0), 0);
  Scorer scorer(**m);
  // A query string per visit: the memo fills up, then stops being asked (MatchMemo).
  const char* paths[] = {"/pricing", "/blog/x", "/", "/blog/pricing"};
  const uint64_t masks[] = {0b011, 0b101, 0b001, 0b111};
  for (int i = 0; i < 20000; ++i) {
    const std::string text = std::string(paths[i % 4]) + "?ref=" + std::to_string(i);
    const Value url = Value::String(text);  // a view of `text`
    ASSERT_EQ(scorer.MatchEvent({0, 0, std::span<const Value>(&url, 1), 0}), masks[i % 4])
        << "event " << i;
  }
}

TEST(Scorer, NoMemoWhenConditionsReadSeveralProperties) {
  auto m = CompileModelText(R"(
engagement:
  rules:
    - {id: a, event: pv, when: 'contains(url, "/pricing")', points: 1}
    - {id: b, event: pv, when: 'utm == "ads"', points: 1}
)",
                            "m.yaml");
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)->MemoSlot(0), -1);
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

}  // namespace
}  // namespace leadscore::engine
