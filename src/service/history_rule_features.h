// The rule features of learn/rule_features.h from history: each lead's attributes and its
// events up to its reference time replayed through the engine (LeadScorer), as the live service
// scores a lead, so that a lead's `rule:<id>` is what that rule gave it at that time.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "core/status.h"
#include "engine/compiled_model.h"
#include "learn/table.h"
#include "service/lead_histories.h"

namespace leadscore::service {

// Appends the rule features of `model` to `table`: row r is lead `ids[r]` scored at
// `times[r]` (one time: every row at it) from `histories`. With `drop_constant` (training), a
// rule that gives every row the same points is left out.
Status AddHistoryRuleFeatures(const std::shared_ptr<const engine::CompiledModel>& model,
                              learn::LabeledTable& table, std::span<const std::string> ids,
                              std::span<const Timestamp> times, const LeadHistories& histories,
                              bool drop_constant);

}  // namespace leadscore::service
