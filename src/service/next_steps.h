// Next steps: the single actions that would take a lead up to a stage (`leadscore explain`:
// "Sales wants a next step, not only a number").
//
// An action is one more event or one missing attribute filled in, and each is scored as it
// would be scored if it happened: a made-up event goes through the model's matching like any
// event (every rule of its type that it matches counts, and none that it does not), and a
// filled-in attribute is read by everything that reads it (fit rules, engagement rules that
// read `lead.x`, the formula, grades and stages). So a step's score is what `leadscore score`
// gives once the event is in the events file at the as-of time, or the value in the leads file.
//
// The values tried are those the model's own expressions name (a constant, a list item, one
// more or less than a number, an address at a domain): a condition that no such value makes
// true (a regular expression, a length) yields no step rather than a step that would not work.
// Where an engagement rule reads lead attributes, each value tried applies the lead's events
// again; the values tried stop after about five million such applications (a lead of 100,000
// events gets 50 tries), so a read of it stays within about a second.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "core/value.h"
#include "engine/lead_state.h"
#include "engine/scorer.h"

namespace leadscore::service {

// One action and what it would give.
struct NextStep {
  bool is_event = false;
  // An event: its type, and the properties it needs (`url`, `"/pricing"`: each value as JSON
  // text); an attribute: its name and value (in `properties[0]`).
  std::string event_type;
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<std::string> rules;  // the engagement rules the event matches (an event only)
  double score = 0;
  int stage = -1;  // the stage it reaches, and its id
  std::string stage_id;
};

// An event applied to the lead before, kept with its properties for scoring again under other
// attributes. Its string Values view bytes the caller keeps alive.
struct PastEvent {
  int type_id = -1;
  Timestamp ts = 0;
  // By event slot; may be empty when no engagement rule reads lead attributes or calls
  // days_since (nothing matches the event again then).
  std::vector<Value> properties;
};

// A value as JSON text: `"IT"`, `10`, `true`, a time as `"2026-01-01T00:00:00Z"`.
std::string JsonValueText(const Value& v);

// The events (one per distinct effect, in rule order) and the attributes (one value each, the
// best) that would each alone bring lead `lead` of `states` to stage `target` or above at
// `as_of`. `lead_id` and `attributes` (by lead slot) are the lead's; `past` its events (needed
// only when an engagement rule reads lead attributes). An event is made at the as-of time
// without an event_id; its `type`, `lead_id` and `ts` are its own and not looked for.
std::vector<NextStep> NextSteps(engine::Scorer& scorer, const engine::StateTable& states,
                                uint32_t lead, std::string_view lead_id,
                                std::span<const Value> attributes, std::span<const PastEvent> past,
                                AsOf as_of, int target);

}  // namespace leadscore::service
