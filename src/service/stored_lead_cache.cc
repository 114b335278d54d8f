#include "service/stored_lead_cache.h"

#include <algorithm>

namespace leadscore::service {

const StoredLeadCache::Entry* StoredLeadCache::Find(std::string_view lead_id) const {
  auto it = entries_.find(lead_id);
  return it == entries_.end() ? nullptr : &it->second;
}

std::optional<store::ScoreRow> StoredLeadCache::ScoreOf(const Entry& entry,
                                                        std::string_view model) {
  for (const store::ScoreRow& row : entry.scores) {
    if (row.model == model) return row;
  }
  return std::nullopt;
}

size_t StoredLeadCache::BytesOf(const Entry& entry) {
  // The strings' heap blocks, the entry and a hash node; an estimate, not a count of bytes.
  size_t bytes = sizeof(Entry) + 64 + 2 * entry.lead.lead_id.size() + entry.lead.attributes.size() +
                 entry.lead.cell_texts.size();
  for (const store::ScoreRow& row : entry.scores) {
    bytes += sizeof(row) + row.model.size() + row.lead_id.size() + row.grade.value_or("").size() +
             row.stage.value_or("").size();
  }
  return bytes;
}

void StoredLeadCache::Put(Entry entry) {
  if (budget_ == 0) return;
  Forget(entry.lead.lead_id);
  bytes_ += BytesOf(entry);
  std::string key = entry.lead.lead_id;
  entries_.emplace(std::move(key), std::move(entry));
  EvictOverBudget();
}

void StoredLeadCache::UpdateScores(std::span<const store::ScoreRow> scores) {
  for (const store::ScoreRow& score : scores) {
    auto it = entries_.find(score.lead_id);
    if (it == entries_.end()) continue;
    Entry& entry = it->second;
    bytes_ -= BytesOf(entry);
    auto same_model = [&](const store::ScoreRow& row) { return row.model == score.model; };
    if (auto row = std::find_if(entry.scores.begin(), entry.scores.end(), same_model);
        row != entry.scores.end()) {
      *row = score;
    } else {
      entry.scores.push_back(score);
    }
    bytes_ += BytesOf(entry);
  }
  EvictOverBudget();
}

void StoredLeadCache::Forget(std::string_view lead_id) {
  auto it = entries_.find(lead_id);
  if (it == entries_.end()) return;
  bytes_ -= BytesOf(it->second);
  entries_.erase(it);
}

void StoredLeadCache::EvictOverBudget() {
  if (bytes_ <= budget_) return;
  // Down to 7/8 of the budget at once, so that a full cache does not evict on every Put.
  while (bytes_ > budget_ / 8 * 7 && !entries_.empty()) {
    auto it = entries_.begin();
    bytes_ -= BytesOf(it->second);
    entries_.erase(it);
  }
}

}  // namespace leadscore::service
