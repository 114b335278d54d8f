#include "engine/fit_memo.h"

#include <algorithm>

namespace leadscore::engine {

FitMemo::FitMemo(const CompiledModel& model) {
  const auto& rules = model.fit_rules();
  group_of_rule_.assign(rules.size(), -1);
  bit_of_rule_.assign(rules.size(), 0);
  for (uint32_t r = 0; r < rules.size(); ++r) {
    if (!rules[r].when) continue;
    std::vector<uint32_t> slots = rules[r].lead_slots;
    std::sort(slots.begin(), slots.end());
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    if (slots.size() != 1) continue;
    auto it = std::find_if(groups_.begin(), groups_.end(),
                           [&](const Group& g) { return g.attribute == slots[0]; });
    if (it == groups_.end()) {
      it = groups_.emplace(groups_.end());
      it->attribute = slots[0];
    }
    if (it->rules.size() == 64) continue;  // a mask holds 64 rules; the rest run each time
    group_of_rule_[r] = static_cast<int>(it - groups_.begin());
    bit_of_rule_[r] = static_cast<uint8_t>(it->rules.size());
    it->rules.push_back(r);
  }
}

void FitMemo::StartLead(Timestamp as_of) {
  ++lead_mark_;
  if (has_as_of_ && as_of == as_of_) return;
  has_as_of_ = true;
  as_of_ = as_of;
  for (Group& group : groups_) group.memo.Clear();
}

}  // namespace leadscore::engine
