// The rule model a team runs today, scored on a table so that it can stand beside the learned
// models: each row is a lead whose attributes are the row's cells and that has no events, so
// only the fit rules (and a formula over attributes) can count.
#pragma once

#include <span>
#include <vector>

#include "core/time.h"
#include "engine/compiled_model.h"
#include "learn/table.h"

namespace leadscore::learn {

// The score (0 to score.max) of each of `rows`. Attributes the model declares are converted to
// their type; a cell that does not convert is null, as in `leadscore score`.
std::vector<double> RuleScores(const engine::CompiledModel& model, const LabeledTable& table,
                               std::span<const uint32_t> rows, AsOf as_of);

}  // namespace leadscore::learn
