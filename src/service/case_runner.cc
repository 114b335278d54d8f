#include "service/case_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "engine/lead_state.h"
#include "engine/rounding.h"
#include "engine/scorer.h"
#include "ingest/convert.h"
#include "model/diagnostic.h"

namespace leadscore::service {
namespace {

// Value of `name` in `values` converted to the slot's declared type; null when absent.
Value Lookup(const model::NamedValues& values, const engine::FieldSlot& slot, std::string& scratch,
             std::vector<std::string>& diffs) {
  for (const auto& [name, value] : values) {
    if (name != slot.name) continue;
    if (!slot.declared || value.is_null()) return value;
    auto converted = ingest::ConvertTo(value, *slot.declared, scratch);
    if (!converted) {
      diffs.push_back(fmt::format("field `{}`: cannot convert {} to {}", name, value.ToString(),
                                  ValueTypeName(*slot.declared)));
      return Value::Null();
    }
    return *converted;
  }
  return Value::Null();
}

std::string Shown(const std::optional<std::string>& v) { return v ? *v : "(none)"; }

// " (the model has no stage `SQL`: MQL, hot)" when `expected` names no level of the model:
// most likely a typo, which would otherwise read as a score that is wrong.
std::string Unknown(const char* what, const std::optional<std::string>& expected,
                    const std::vector<engine::CompiledLevel>& levels) {
  if (!expected || engine::HasLevel(levels, *expected)) return "";
  const std::string listed = engine::LevelIds(levels);
  return fmt::format(" (the model has no {} `{}`: {})", what, *expected,
                     listed.empty() ? fmt::format("it has no {}s", what) : listed);
}

}  // namespace

CaseOutcome RunCase(const engine::CompiledModel& model, const model::TestCase& test_case) {
  CaseOutcome out;
  auto as_of = ParseTimestamp(test_case.as_of);
  if (!as_of) {
    out.diffs.push_back("as_of: cannot read \"" + test_case.as_of + "\" as a time");
    return out;
  }
  const auto& lead_fields = model.lead_fields();
  std::vector<std::string> lead_scratch(lead_fields.size());
  std::vector<Value> attributes(lead_fields.size());
  for (size_t i = 0; i < lead_fields.size(); ++i) {
    attributes[i] = Lookup(test_case.lead, lead_fields[i], lead_scratch[i], out.diffs);
  }

  engine::StateTable states(model, *as_of);
  uint32_t lead = states.AddLead();
  engine::Scorer scorer(model);
  const auto& event_fields = model.event_fields();
  std::vector<std::string> event_scratch(event_fields.size());
  std::vector<Value> properties(event_fields.size());
  std::set<std::string> seen_ids;
  for (const auto& event : test_case.events) {
    auto ts = ParseTimestamp(event.ts);
    if (!ts) {
      out.diffs.push_back(
          fmt::format("event at line {}: cannot read ts \"{}\"", event.pos.line, event.ts));
      continue;
    }
    if (!event.event_id.empty() && !seen_ids.insert(event.event_id).second) continue;
    if (*ts > *as_of) continue;
    int type_id = model.EventTypeId(event.type);
    if (type_id < 0) continue;
    for (size_t i = 0; i < event_fields.size(); ++i) {
      properties[i] = Lookup(event.properties, event_fields[i], event_scratch[i], out.diffs);
    }
    scorer.Apply(states, lead, engine::EventView{type_id, *ts, properties, *as_of}, attributes);
  }
  scorer.Evaluate(states, lead, attributes, AsOf{*as_of}, true, out.score);
  for (const auto& r : out.score.reasons) out.reasons.emplace_back(std::string(r.rule), r.points);

  auto compare = [&](const char* what, const std::optional<double>& expected, double actual) {
    if (expected && engine::Round2(*expected) != engine::Round2(actual)) {
      out.diffs.push_back(fmt::format("{}: expected {}, got {}", what,
                                      engine::FormatScore(*expected), engine::FormatScore(actual)));
    }
  };
  compare("score", test_case.score, out.score.score);
  compare("fit", test_case.fit, out.score.fit);
  compare("engagement", test_case.engagement, out.score.engagement);
  std::optional<std::string> grade, stage;
  if (out.score.grade >= 0) grade = model.grades()[out.score.grade].id;
  if (out.score.stage >= 0) stage = model.stages()[out.score.stage].id;
  if (test_case.expect_grade && test_case.grade != grade) {
    out.diffs.push_back(fmt::format("grade: expected {}, got {}{}", Shown(test_case.grade),
                                    Shown(grade),
                                    Unknown("grade", test_case.grade, model.grades())));
  }
  if (test_case.expect_stage && test_case.stage != stage) {
    out.diffs.push_back(fmt::format("stage: expected {}, got {}{}", Shown(test_case.stage),
                                    Shown(stage),
                                    Unknown("stage", test_case.stage, model.stages())));
  }
  std::vector<std::string> rule_ids;
  for (const auto& rule : model.fit_rules()) rule_ids.push_back(rule.id);
  for (const auto& rule : model.engagement_rules()) rule_ids.push_back(rule.id);
  // Named references rather than structured bindings: clang 14 (the fuzz build) cannot capture
  // a binding in a lambda.
  for (const auto& expected_reason : test_case.reasons) {
    const auto& rule = expected_reason.first;
    const auto& points = expected_reason.second;
    auto it = std::find_if(out.reasons.begin(), out.reasons.end(),
                           [&](const auto& r) { return r.first == rule; });
    if (it == out.reasons.end()) {
      std::string unknown;
      if (!rule.starts_with("cut:") &&
          std::find(rule_ids.begin(), rule_ids.end(), rule) == rule_ids.end()) {
        const std::string near = model::ClosestMatch(rule, rule_ids);
        unknown = " (the model has no rule `" + rule + "`" +
                  (near.empty() ? "" : "; did you mean `" + near + "`?") + ")";
      } else if (engine::Round2(points) == 0) {
        continue;  // a rule or a cut that gave nothing is not listed: expecting 0 of it holds
      }
      out.diffs.push_back(fmt::format("reason {}: expected {}, got (none){}", rule,
                                      engine::FormatScore(points), unknown));
    } else if (engine::Round2(it->second) != engine::Round2(points)) {
      out.diffs.push_back(fmt::format("reason {}: expected {}, got {}", rule,
                                      engine::FormatScore(points),
                                      engine::FormatScore(it->second)));
    }
  }
  if (test_case.exact_reasons) {
    for (const auto& actual_reason : out.reasons) {
      const auto& rule = actual_reason.first;
      const auto& points = actual_reason.second;
      bool expected = std::any_of(test_case.reasons.begin(), test_case.reasons.end(),
                                  [&](const auto& r) { return r.first == rule; });
      if (!expected) {
        out.diffs.push_back(
            fmt::format("reason {}: not expected, got {}", rule, engine::FormatScore(points)));
      }
    }
  }
  out.passed = out.diffs.empty();
  return out;
}

}  // namespace leadscore::service
