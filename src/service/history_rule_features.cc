#include "service/history_rule_features.h"

#include "learn/rule_features.h"
#include "service/lead_scorer.h"

namespace leadscore::service {

Status AddHistoryRuleFeatures(const std::shared_ptr<const engine::CompiledModel>& model,
                              learn::LabeledTable& table, std::span<const std::string> ids,
                              std::span<const Timestamp> times, const LeadHistories& histories,
                              bool drop_constant) {
  if (ids.size() != table.rows() || (times.size() != 1 && times.size() != ids.size())) {
    return Internal("rule features: one lead id and one time per row");
  }
  learn::RuleFeatureColumns columns(*model, table.rows());
  LeadScorer scorer(model);
  for (size_t r = 0; r < ids.size(); ++r) {
    const AsOf as_of{times.size() == 1 ? times[0] : times[r]};
    columns.Set(r, scorer.Score(histories.Of(ids[r]), as_of, /*explain=*/true));
  }
  std::move(columns).AppendTo(table, drop_constant);
  return Status::Ok();
}

}  // namespace leadscore::service
