// `--reference first:MQL` in history mode: each lead's reference time is the first time the
// rule model put it in that stage (or a later one), found by replaying its events through the
// engine as the live service scores a lead (service::LeadScorer). A model learned from these
// references predicts what becomes of a lead once it is an MQL.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "core/status.h"
#include "engine/compiled_model.h"
#include "learn/row_source.h"

namespace leadscore::cli {

// lead_id -> the first event time at which the lead's stage under `model` is `stage` or a
// later one. Leads that never get there are absent. Holds every event in memory while it runs.
Result<std::unordered_map<std::string, Timestamp>> FirstStageTimes(
    const std::shared_ptr<const engine::CompiledModel>& model, const std::string& stage,
    const learn::SourceOpener& leads, const learn::SourceOpener& events);

}  // namespace leadscore::cli
