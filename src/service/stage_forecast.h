// Stage forecast: when a lead leaves its stage if nothing more happens to it (decay fading the
// engagement, `expire_after` and count windows running out, days_since() in a condition).
// Used by `leadscore explain` ("if nothing happens: leaves X on DATE") and by LeadScorer.
//
// Pure function of its arguments apart from the Scorer's scratch space (one Scorer per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/time.h"
#include "core/value.h"
#include "engine/lead_state.h"
#include "engine/scorer.h"

namespace leadscore::service {

// How far and how finely StageChangeTime looks ahead.
inline constexpr Timestamp kStageForecastStep = kMicrosPerDay / 4;
inline constexpr Timestamp kStageForecastHorizon = 3650 * kMicrosPerDay;  // 10 years

// The first time after `from` at which lead `lead` of `states` (with `attributes`, by lead
// slot) has a stage other than its stage at `from`, if no further event is applied; nullopt
// when the stage stays the same for kStageForecastHorizon.
//
// The lead is evaluated every kStageForecastStep after `from` (so a stage left and re-entered
// between two steps is not seen), and the first step with another stage is bisected: the result
// is a time at which the stage has changed, at most one second after the last time found
// unchanged. Costs up to 14,600 evaluations when the stage never changes.
// REQUIRES: every event applied to the lead has ts <= from.
std::optional<Timestamp> StageChangeTime(engine::Scorer& scorer, const engine::StateTable& states,
                                         uint32_t lead, std::span<const Value> attributes,
                                         Timestamp from);

}  // namespace leadscore::service
