// From a stage transition to the outbox rows that deliver it: which webhooks it fires, and the
// JSON each receives.
//
// Pure: no I/O and no clock. The service calls DeliveriesFor inside the transaction that stores
// the transition and enqueues what it returns in that same transaction, so a stored transition
// always has its deliveries (store.h, outbox).
#pragma once

#include <vector>

#include "actions/webhook_config.h"
#include "core/time.h"
#include "store/store.h"

namespace leadscore::actions {

// The outbox rows for transition `t`, one per (webhook, direction) that matches, in the order
// of `hooks`, leaving before entering:
//   - model: a hook with an empty `model` follows the primary model (`model_is_primary`),
//     otherwise the model named `t.model`;
//   - leaving: `t.from_stage` is set, is one of the hook's stages (or it has none) and on_leave;
//   - entering: likewise with `t.to_stage` and on_enter.
// A shadow model's transitions fire nothing: the caller passes only those of primary and live
// models. Each row is pending, due at `now`, with idempotency key
// `<t.id>:<webhook name>:<enter|leave>` and a payload
//   {"type": "lead.stage_entered" | "lead.stage_left", "lead_id", "model", "model_version",
//    "from_stage", "to_stage" (null when none), "score", "at" (ISO-8601 UTC), "cause",
//    "reasons" (t.explanation as JSON), "transition_id"}.
// REQUIRES: t.id is the stored transition's id (> 0).
std::vector<store::DeliveryRow> DeliveriesFor(const store::TransitionRow& t, bool model_is_primary,
                                              const std::vector<WebhookConfig>& hooks,
                                              Timestamp now);

}  // namespace leadscore::actions
