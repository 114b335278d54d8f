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

nlohmann::json ModelScoreJson(const service::ModelScore& s);
// `model`: the one whose values go to the top level (empty: the first, the primary).
nlohmann::json LeadJson(const service::LeadView& view, const std::string& model);
nlohmann::json ScoreRowJson(const store::ScoreRow& row);
nlohmann::json TransitionJson(const store::TransitionRow& t);
nlohmann::json EventJson(const store::EventRow& e);
nlohmann::json OutcomeJson(const store::OutcomeRow& o);
nlohmann::json DeliveryJson(const store::DeliveryRow& d);
nlohmann::json IngestJson(const service::IngestReport& report);
// A time as ISO-8601, or null.
nlohmann::json TimeJson(std::optional<Timestamp> ts);

}  // namespace leadscore::server
