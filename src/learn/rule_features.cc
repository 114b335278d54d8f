#include "learn/rule_features.h"

#include <algorithm>
#include <numeric>

#include "engine/lead_state.h"
#include "engine/scorer.h"
#include "ingest/convert.h"

namespace leadscore::learn {

std::string RuleFeatureName(std::string_view rule_id) { return "rule:" + std::string(rule_id); }

RuleFeatureColumns::RuleFeatureColumns(const engine::CompiledModel& model, size_t rows)
    : model_(model),
      score_(rows, 0),
      fit_(model.fit_rules().size(), std::vector<double>(rows, 0)),
      engagement_(model.engagement_rules().size(), std::vector<double>(rows, 0)) {}

void RuleFeatureColumns::Set(size_t row, const engine::Score& score) {
  score_[row] = score.score;
  for (const engine::Contribution& c : score.reasons) {
    if (c.rule_index < 0) continue;  // a cut
    (c.is_fit ? fit_ : engagement_)[c.rule_index][row] = c.points;
  }
}

void RuleFeatureColumns::AppendTo(LabeledTable& table, bool drop_constant) && {
  auto append = [&](std::string name, std::vector<double> values) {
    const bool constant =
        values.empty() ||
        std::all_of(values.begin(), values.end(), [&](double v) { return v == values.front(); });
    if (drop_constant && constant && name != kRuleScoreFeature) return;
    table.columns.push_back({.name = std::move(name),
                             .kind = ColumnKind::kNumeric,
                             .values = std::move(values),
                             .from_rules = true});
  };
  append(std::string(kRuleScoreFeature), std::move(score_));
  for (size_t r = 0; r < fit_.size(); ++r) {
    append(RuleFeatureName(model_.fit_rules()[r].id), std::move(fit_[r]));
  }
  for (size_t r = 0; r < engagement_.size(); ++r) {
    append(RuleFeatureName(model_.engagement_rules()[r].id), std::move(engagement_[r]));
  }
}

void ScoreRowsAsLeads(const engine::CompiledModel& model, const LabeledTable& table,
                      std::span<const uint32_t> rows, AsOf as_of, bool explain,
                      const std::function<void(size_t i, const engine::Score&)>& each) {
  const auto& fields = model.lead_fields();
  // The table column behind each attribute the model reads (null when the table lacks it).
  std::vector<const Column*> column_of(fields.size(), nullptr);
  for (size_t f = 0; f < fields.size(); ++f) {
    for (const Column& c : table.columns) {
      if (c.name == fields[f].name && !c.derived && !c.from_rules && !c.event) column_of[f] = &c;
    }
  }
  engine::StateTable states(model, as_of.time);
  const uint32_t lead = states.AddLead();  // no events: one empty state serves every row
  engine::Scorer scorer(model);
  std::vector<Value> attributes(fields.size());
  std::vector<std::string> scratch(fields.size());
  engine::Score score;
  for (size_t i = 0; i < rows.size(); ++i) {
    const uint32_t r = rows[i];
    for (size_t f = 0; f < fields.size(); ++f) {
      const Column* c = column_of[f];
      Value raw;
      if (c && !c->missing(r)) {
        raw = c->kind == ColumnKind::kNumeric ? Value::Number(c->values[r])
                                              : Value::String(c->levels[c->codes[r]]);
      }
      if (fields[f].declared && !raw.is_null()) {
        auto converted = ingest::ConvertTo(raw, *fields[f].declared, scratch[f]);
        raw = converted ? *converted : Value::Null();
      }
      attributes[f] = raw;
    }
    scorer.Evaluate(states, lead, attributes, as_of, explain, score);
    each(i, score);
  }
}

void AddRuleFeatures(const engine::CompiledModel& model, LabeledTable& table, AsOf as_of,
                     bool drop_constant) {
  std::vector<uint32_t> rows(table.rows());
  std::iota(rows.begin(), rows.end(), 0);
  RuleFeatureColumns columns(model, rows.size());
  ScoreRowsAsLeads(model, table, rows, as_of, true,
                   [&](size_t i, const engine::Score& score) { columns.Set(i, score); });
  std::move(columns).AppendTo(table, drop_constant);
}

}  // namespace leadscore::learn
