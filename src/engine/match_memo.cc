#include "engine/match_memo.h"

#include <algorithm>

namespace leadscore::engine {

const uint64_t* MatchMemo::Find(std::string_view key) {
  const uint64_t* found = Lookup(key);
  if (size_ < limit_) return found;
  ++window_lookups_;
  if (found != nullptr) ++window_hits_;
  if (window_lookups_ == kWindow) {
    off_ = window_hits_ * 2 < window_lookups_;
    window_lookups_ = window_hits_ = 0;
  }
  return found;
}

const uint64_t* MatchMemo::Lookup(std::string_view key) const {
  if (entries_.empty()) return nullptr;
  const uint64_t hash = HashBytes(key);
  const size_t mask = entries_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Entry& entry = entries_[i];
    if (entry.length == kEmpty) return nullptr;
    if (Same(entry, hash, key)) return &entry.mask;
  }
}

void MatchMemo::Insert(std::string_view key, uint64_t mask) {
  if (size_ >= limit_ || bytes_.size() + key.size() >= kEmpty) return;
  // At most half full. It starts small: a scorer made for one lead sees a few values.
  if ((size_ + 1) * 2 > entries_.size()) Grow(std::max<size_t>(16, entries_.size() * 2));
  Place(Entry{HashBytes(key), mask, static_cast<uint32_t>(bytes_.size()),
              static_cast<uint32_t>(key.size())});
  bytes_.append(key);
  ++size_;
}

void MatchMemo::Place(const Entry& entry) {
  const size_t table_mask = entries_.size() - 1;
  size_t i = entry.hash & table_mask;
  while (entries_[i].length != kEmpty) i = (i + 1) & table_mask;
  entries_[i] = entry;
}

void MatchMemo::Grow(size_t slots) {
  std::vector<Entry> old(slots);
  old.swap(entries_);
  for (const Entry& entry : old) {
    if (entry.length != kEmpty) Place(entry);
  }
}

void MatchMemo::Clear() {
  off_ = false;
  window_lookups_ = window_hits_ = 0;
  if (size_ == 0) return;
  std::fill(entries_.begin(), entries_.end(), Entry{});
  bytes_.clear();
  size_ = 0;
}

}  // namespace leadscore::engine
