#include "engine/lead_state.h"

#include <cassert>

namespace leadscore::engine {

StateTable::StateTable(const CompiledModel& model, Timestamp reference)
    : model_(&model),
      stride_(model.state_size()),
      reference_(reference),
      initial_(model.state_size()) {
  for (const auto& rule : model.engagement_rules()) {
    StateSlot* s = initial_.data() + rule.state_offset;
    switch (rule.kind) {
      case RuleKind::kSum:
      case RuleKind::kCount:
        s[0].sum = 0;
        if (rule.kind == RuleKind::kCount) s[0].n = 0;
        break;
      case RuleKind::kHalfLife:
        s[0].sum = 0;
        break;
      case RuleKind::kExpiring:
        s[0].n = -1;
        break;
      case RuleKind::kOnce:
        s[0].ts = kNoTime;
        break;
      case RuleKind::kCountWindow:
        for (uint32_t i = 0; i < rule.state_size; ++i) s[i].ts = kNoTime;
        break;
    }
  }
}

uint32_t StateTable::AddLead() {
  slots_.insert(slots_.end(), initial_.begin(), initial_.end());
  return static_cast<uint32_t>(rows_++);
}

void StateTable::Reserve(size_t leads) { slots_.reserve(leads * stride_); }

uint32_t StateTable::CopyLead(const StateTable& other, uint32_t lead) {
  assert(other.reference_ == reference_ && "half-life sums are kept at the reference time");
  uint32_t index = AddLead();
  if (stride_ == 0) return index;
  const StateSlot* src = other.Row(lead);
  StateSlot* dst = Row(index);
  for (uint32_t i = 0; i < stride_; ++i) dst[i] = src[i];
  for (const auto& rule : model_->engagement_rules()) {
    if (rule.kind != RuleKind::kExpiring) continue;
    int64_t list = src[rule.state_offset].n;
    if (list < 0) continue;
    int64_t copy = NewList();
    lists_[copy] = other.lists_[list];
    dst[rule.state_offset].n = copy;
  }
  return index;
}

}  // namespace leadscore::engine
