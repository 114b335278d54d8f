#include "cli/stage_reference.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string_view>
#include <vector>

#include "service/lead_histories.h"
#include "service/lead_scorer.h"

namespace leadscore::cli {

Result<std::unordered_map<std::string, Timestamp>> FirstStageTimes(
    const std::shared_ptr<const engine::CompiledModel>& model, const std::string& stage,
    const learn::SourceOpener& leads, const learn::SourceOpener& events) {
  const auto& stages = model->stages();
  const auto at =
      std::find_if(stages.begin(), stages.end(), [&](const auto& s) { return s.id == stage; });
  if (at == stages.end()) {
    std::string known;
    for (const auto& s : stages) known += (known.empty() ? "" : ", ") + s.id;
    return Error(InvalidArgument(fmt::format("the model has no stage `{}` (its stages: {})", stage,
                                             known.empty() ? "none" : known)));
  }
  const int index = static_cast<int>(at - stages.begin());

  LS_ASSIGN_OR_RETURN(const service::LeadHistories histories,
                      service::ReadLeadHistories(leads, events));
  std::unordered_map<std::string, Timestamp> first;
  service::LeadScorer scorer(model);
  const AsOf end{std::numeric_limits<Timestamp>::max() / 2};
  for (const auto& [id, lead_events] : histories.events) {
    if (auto t = scorer.FirstTimeAtStage(histories.Of(id), end, index)) first.emplace(id, *t);
  }
  return first;
}

}  // namespace leadscore::cli
