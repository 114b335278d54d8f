// Running a model's test cases: one lead, its events, an as-of time, and the expected outcome.
#pragma once

#include <string>
#include <vector>

#include "engine/compiled_model.h"
#include "engine/score.h"
#include "model/test_cases.h"

namespace leadscore::service {

struct CaseOutcome {
  bool passed = false;
  // One line per difference: "score: expected 65.00, got 60.00". Or the reason the case could
  // not run (a bad as_of, an event without a readable ts).
  std::vector<std::string> diffs;
  engine::Score score;  // with reasons
  // Rule ids and cuts as text, so the outcome outlives nothing.
  std::vector<std::pair<std::string, double>> reasons;
};

// Scores the case's lead exactly as `leadscore score` would (declared fields converted, events
// deduplicated by event_id, events after as_of left out) and compares with its expectations.
// Values compare after rounding to 2 decimals.
CaseOutcome RunCase(const engine::CompiledModel& model, const model::TestCase& test_case);

}  // namespace leadscore::service
