// The active rule model's contributions as features: for each lead, at its reference time (or
// the as-of time of a prediction), the points each rule gives it (`rule:<id>`: a fit rule's
// points when it holds, an engagement rule's contribution after decay and its own cap) and the
// score (`rule:score`). A team's rules carry what it knows about its market; the trees can
// learn how far to trust each one.
//
// This file computes them from a table's rows (attributes only, no events: table mode); from
// history, service/history_rule_features.h replays each lead's events through the engine.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "engine/compiled_model.h"
#include "engine/score.h"
#include "learn/table.h"

namespace leadscore::learn {

inline constexpr std::string_view kRuleScoreFeature = "rule:score";
std::string RuleFeatureName(std::string_view rule_id);

// Collects each row's Score (with reasons) and turns them into columns.
class RuleFeatureColumns {
 public:
  RuleFeatureColumns(const engine::CompiledModel& model, size_t rows);

  // Row `row`'s score, explained (Scorer::Evaluate with explain).
  void Set(size_t row, const engine::Score& score);

  // Appends rule:score and a rule:<id> column per rule to `table`, flagged Column::from_rules.
  // With `drop_constant` (training), a rule that gives every row the same points is left out
  // (rule:score stays: `evaluate` ranks by it).
  void AppendTo(LabeledTable& table, bool drop_constant) &&;

 private:
  const engine::CompiledModel& model_;
  std::vector<double> score_;
  std::vector<std::vector<double>> fit_, engagement_;  // by rule, by row
};

// Table mode: each row is a lead whose attributes are the row's cells and that has no events,
// scored at `as_of` (declared attributes converted to their type, as `leadscore score` does).
// `each` gets every row's score in row order.
void ScoreRowsAsLeads(const engine::CompiledModel& model, const LabeledTable& table,
                      std::span<const uint32_t> rows, AsOf as_of, bool explain,
                      const std::function<void(size_t i, const engine::Score&)>& each);

// Table mode: the rule features of every row of `table`, appended to it.
void AddRuleFeatures(const engine::CompiledModel& model, LabeledTable& table, AsOf as_of,
                     bool drop_constant);

}  // namespace leadscore::learn
