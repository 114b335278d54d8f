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
#include "service/next_steps.h"

namespace leadscore::service {

// How finely StageChangeTime looks ahead, and how far at that step.
inline constexpr Timestamp kStageForecastStep = kMicrosPerDay / 4;
inline constexpr Timestamp kStageForecastHorizon = 3650 * kMicrosPerDay;  // 10 years
// The last time a score is given for: 9999-12-31T23:59:59Z.
inline constexpr Timestamp kLastTimestamp = static_cast<Timestamp>(kLastSecond) * kMicrosPerSecond;

// The first time after `from` at which lead `lead` of `states` (with `attributes`, by lead
// slot) has a stage other than its stage at `from`, if no further event is applied; nullopt
// when the stage stays the same up to kLastTimestamp.
//
// The lead is evaluated at every moment one of its rules' totals steps (an event reaching its
// expiry or leaving a count window: Scorer::StepTimes), every kStageForecastStep for
// kStageForecastHorizon (every eighth of the shortest half-life first, for 64 of them, when
// that is shorter), and at kLastTimestamp; the first of these with another stage is bisected to
// the microsecond. So a change at a step is found exactly, and a change that decay or
// days_since() makes between two looks is found if it lasts until the later one. Costs about
// 14,700 evaluations (15,200 with a short half-life) when the stage never changes.
//
// An engagement rule whose `when` calls days_since matches an event by the as-of time, so the
// lead's state at `from` is not its state later: when the model has one (ReadsAsOfInMatching),
// `past`, the lead's events, are applied again at each time looked at, as a run at that as-of
// time applies them (each evaluation then costs past.size() applications).
// REQUIRES: every event applied to the lead has ts <= from; `past` holds them all when
// ReadsAsOfInMatching(scorer.model()).
std::optional<Timestamp> StageChangeTime(engine::Scorer& scorer, const engine::StateTable& states,
                                         uint32_t lead, std::span<const Value> attributes,
                                         Timestamp from, std::span<const PastEvent> past = {});

// The score of lead `lead` at `t`, if no further event is applied, as a run at `t` gives it:
// from its state in `states`, or, when ReadsAsOfInMatching, from its `past` events applied
// again at `t`. REQUIRES: as for StageChangeTime, with t >= from.
void ScoreLater(engine::Scorer& scorer, const engine::StateTable& states, uint32_t lead,
                std::span<const Value> attributes, std::span<const PastEvent> past, Timestamp t,
                engine::Score& out);

// Whether an engagement rule of `model` matches events by the as-of time (days_since in its
// `when`): StageChangeTime then needs the lead's past events.
bool ReadsAsOfInMatching(const engine::CompiledModel& model);

}  // namespace leadscore::service
