#include "learn/rule_scores.h"

#include <cmath>
#include <string>

#include "engine/lead_state.h"
#include "engine/scorer.h"
#include "ingest/convert.h"

namespace leadscore::learn {

std::vector<double> RuleScores(const engine::CompiledModel& model, const LabeledTable& table,
                               std::span<const uint32_t> rows, AsOf as_of) {
  const auto& fields = model.lead_fields();
  // The table column behind each attribute the model reads (null when the table lacks it).
  std::vector<const Column*> column_of(fields.size(), nullptr);
  for (size_t f = 0; f < fields.size(); ++f) {
    for (const Column& c : table.columns) {
      if (c.name == fields[f].name) column_of[f] = &c;
    }
  }
  engine::StateTable states(model, as_of.time);
  const uint32_t lead = states.AddLead();  // no events: one empty state serves every row
  engine::Scorer scorer(model);
  std::vector<Value> attributes(fields.size());
  std::vector<std::string> scratch(fields.size());
  std::string number_text;
  engine::Score score;
  std::vector<double> out;
  out.reserve(rows.size());
  for (uint32_t r : rows) {
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
    scorer.Evaluate(states, lead, attributes, as_of, false, score);
    out.push_back(score.score);
  }
  return out;
}

}  // namespace leadscore::learn
