// How leads, scores and transitions look in the API's JSON.
//
// A lead: {"lead_id", "score", "fit", "engagement", "grade", "stage", "reasons":
// [{"rule","points"}], "stage_change_at", "model", "model_version", "as_of", "attributes",
// "events", "scores": {"<model>": {...the same fields...}}, "predictive": {"probability",
// "reasons": [{"feature","value"}]} when the server has a trees model}; the top-level values
// are the primary model's (or the one `?model=` picks). Scores have two decimals, as in batch
// output; probabilities and contributions four.
#pragma once

#include <nlohmann/json.hpp>

#include "service/lead_view.h"
#include "service/live_service.h"
#include "store/store.h"

namespace leadscore::server {

// Keys in the order they are written: the top-level fields as listed above, and a lead's
// attributes and an event's body in the order they were stored (as they were sent).
using ViewJson = nlohmann::ordered_json;

ViewJson ModelScoreJson(const service::ModelScore& s);
// `model`: the one whose values go to the top level (empty: the first, the primary).
ViewJson LeadJson(const service::LeadView& view, const std::string& model);
ViewJson ScoreRowJson(const store::ScoreRow& row);
ViewJson TransitionJson(const store::TransitionRow& t);
ViewJson EventJson(const store::EventRow& e);
// EventJson's text, the event as it was stored: a whole number of 2^64 or more in it is
// written as it was sent, not as the double a JSON document holds.
std::string EventText(const store::EventRow& e);
ViewJson OutcomeJson(const store::OutcomeRow& o);
ViewJson DeliveryJson(const store::DeliveryRow& d);
ViewJson IngestJson(const service::IngestReport& report);
// A time as ISO-8601, or null.
ViewJson TimeJson(std::optional<Timestamp> ts);

}  // namespace leadscore::server
