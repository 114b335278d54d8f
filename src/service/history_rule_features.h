// The rule features of learn/rule_features.h from history: each lead's attributes and its
// events up to its own time (its reference in training, the as-of time of a prediction) go
// through the engine as `leadscore score` reads and scores them (the same conversions, the same
// Scorer), so that a lead's `rule:<id>` is what that rule gave it at that time.
//
// It streams: the events are read once and applied to a state table of the rows' leads (a
// state does not depend on the order of its events), then each lead is scored at its time.
// Memory is one state and the model's attributes per lead.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "core/status.h"
#include "engine/compiled_model.h"
#include "learn/row_source.h"
#include "learn/table.h"

namespace leadscore::service {

// Appends the rule features of `model` to `table`: row r is lead `ids[r]` scored at `times[r]`
// (one time: every row at it) from the records of `leads` and `events` (no source: no events).
// Events after their lead's time are not seen; an event_id read before counts once, as in
// batch scoring. With `drop_constant` (training), a rule that gives every row the same points
// is left out.
Status AddHistoryRuleFeatures(const std::shared_ptr<const engine::CompiledModel>& model,
                              learn::LabeledTable& table, std::span<const std::string> ids,
                              std::span<const Timestamp> times, const learn::SourceOpener& leads,
                              const learn::SourceOpener& events, bool drop_constant);

}  // namespace leadscore::service
