#include "service/parsed_event_cache.h"

#include <cstring>

namespace leadscore::service {

std::string ParsedEventCache::Key(const engine::CompiledModel* model, std::string_view lead_id) {
  std::string key(sizeof model, '\0');
  std::memcpy(key.data(), &model, sizeof model);
  key.append(lead_id);
  return key;
}

ParsedEventCache::Found ParsedEventCache::Find(const engine::CompiledModel* model,
                                               std::string_view lead_id,
                                               std::span<const int64_t> seqs) {
  const std::string key = Key(model, lead_id);
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return {};
  }
  const Entry& entry = *it->second;
  if (entry.count > seqs.size() || entry.count == 0 || seqs[entry.count - 1] != entry.last_seq) {
    ++misses_;
    return {};
  }
  ++(entry.count == seqs.size() ? hits_ : extended_);
  lru_.splice(lru_.begin(), lru_, it->second);
  return {entry.events, entry.count};
}

void ParsedEventCache::Put(std::shared_ptr<const engine::CompiledModel> model,
                           std::string_view lead_id, size_t count, int64_t last_seq,
                           std::shared_ptr<const ParsedEvents> events) {
  // Leads of a few events are kept too: under a stream of writes their reads are not cheap, as
  // SQLite empties a connection's page cache after each commit of another.
  if (count == 0 || budget_ == 0) return;
  Entry entry{Key(model.get(), lead_id), std::move(model), count, last_seq, std::move(events), 0};
  entry.bytes = entry.events->bytes() + 2 * entry.key.size() + sizeof(Entry) + 64;
  if (entry.bytes > budget_) return;
  std::lock_guard lock(mu_);
  if (auto it = index_.find(entry.key); it != index_.end()) {
    bytes_ -= it->second->bytes;
    lru_.erase(it->second);
    index_.erase(it);
  }
  bytes_ += entry.bytes;
  lru_.push_front(std::move(entry));
  index_.emplace(lru_.front().key, lru_.begin());
  EvictOverBudget();
}

void ParsedEventCache::EvictOverBudget() {
  while (bytes_ > budget_ && !lru_.empty()) {
    Entry& last = lru_.back();
    bytes_ -= last.bytes;
    index_.erase(last.key);
    lru_.pop_back();
  }
}

ParsedEventCacheStats ParsedEventCache::stats() const {
  std::lock_guard lock(mu_);
  return {hits_, extended_, misses_, bytes_, lru_.size()};
}

}  // namespace leadscore::service
