#include "actions/transition_actions.h"

#include <algorithm>
#include <cassert>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace leadscore::actions {
namespace {

bool Follows(const WebhookConfig& hook, const std::optional<std::string>& stage) {
  if (!stage) return false;
  return hook.stages.empty() ||
         std::find(hook.stages.begin(), hook.stages.end(), *stage) != hook.stages.end();
}

nlohmann::json StageJson(const std::optional<std::string>& stage) {
  return stage ? nlohmann::json(*stage) : nlohmann::json(nullptr);
}

std::string Payload(const store::TransitionRow& t, bool entering) {
  // The explanation was written by the engine; should it ever not parse, the receiver still
  // gets it, as a string.
  nlohmann::json reasons = nlohmann::json::parse(t.explanation, nullptr, false);
  if (reasons.is_discarded()) reasons = t.explanation;
  nlohmann::json body = {
      {"type", entering ? "lead.stage_entered" : "lead.stage_left"},
      {"lead_id", t.lead_id},
      {"model", t.model},
      {"model_version", t.model_version},
      {"from_stage", StageJson(t.from_stage)},
      {"to_stage", StageJson(t.to_stage)},
      {"score", t.score},
      {"at", FormatTimestamp(t.at)},
      {"cause", t.cause},
      {"reasons", std::move(reasons)},
      {"transition_id", t.id},
  };
  // Invalid UTF-8 in a lead id must not throw here, inside the service's transaction.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::vector<store::DeliveryRow> DeliveriesFor(const store::TransitionRow& t, bool model_is_primary,
                                              const std::vector<WebhookConfig>& hooks,
                                              Timestamp now) {
  assert(t.id > 0 && "DeliveriesFor needs the id InsertTransition gave the transition");
  std::vector<store::DeliveryRow> rows;
  if (t.from_stage == t.to_stage) return rows;  // not a change of stage
  auto add = [&](const WebhookConfig& hook, bool entering) {
    store::DeliveryRow row;
    row.webhook = hook.name;
    row.lead_id = t.lead_id;
    row.payload = Payload(t, entering);
    row.idempotency_key =
        std::to_string(t.id) + ":" + hook.name + ":" + (entering ? "enter" : "leave");
    row.next_attempt_at = now;
    row.created_at = now;
    rows.push_back(std::move(row));
  };
  for (const WebhookConfig& hook : hooks) {
    bool model_matches = hook.model.empty() ? model_is_primary : hook.model == t.model;
    if (!model_matches) continue;
    if (hook.on_leave && Follows(hook, t.from_stage)) add(hook, false);
    if (hook.on_enter && Follows(hook, t.to_stage)) add(hook, true);
  }
  return rows;
}

}  // namespace leadscore::actions
