// MatchMemo: the masks of rules an event matched, by the value of the one property their
// conditions read (see CompiledModel::MemoSlot). Page views repeat a few hundred URLs, so most
// events are matched by one lookup here instead of running every condition.
//
// A flat open-addressing table over a byte arena, keys hashed by HashBytes: it replaced an
// std::unordered_map<std::string, uint64_t> whose hashing and node chasing cost 4% of a W1 run
// (1M leads, 30M events). It stops growing at `limit` keys (later values are matched each
// time); that bounds memory when a property is unique per event. Once full, it also watches
// whether lookups still pay: a window of lookups of which fewer than half find their key (a URL
// with a query string per visit) makes worthwhile() false, and the caller stops asking; with
// W1's 30M page views on unique URLs, MatchMemo::Find was 6% of a run's samples (hash, probe,
// compare) for nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes_equal.h"
#include "core/hash_bytes.h"

namespace leadscore::engine {

class MatchMemo {
 public:
  explicit MatchMemo(size_t limit = 4096) : limit_(limit) {}

  // The mask stored for `key`, or nullptr.
  const uint64_t* Find(std::string_view key);
  // Stores `mask` for `key` (not already there), unless the memo is full.
  void Insert(std::string_view key, uint64_t mask);
  // Empties the memo and makes it worthwhile again.
  void Clear();
  size_t size() const { return size_; }
  // False once lookups of a full memo mostly fail (see above); true again after Clear.
  bool worthwhile() const { return !off_; }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Entry {
    uint64_t hash = 0;
    uint64_t mask = 0;
    uint32_t offset = 0;  // into bytes_
    uint32_t length = kEmpty;
  };
  void Place(const Entry& entry);
  void Grow(size_t slots);
  bool Same(const Entry& entry, uint64_t hash, std::string_view key) const {
    return entry.hash == hash && entry.length == key.size() &&
           BytesEqual(bytes_.data() + entry.offset, key.data(), key.size());
  }

  static constexpr uint32_t kWindow = 4096;  // lookups of a full memo judged at once
  const uint64_t* Lookup(std::string_view key) const;

  size_t limit_;
  size_t size_ = 0;
  uint32_t window_lookups_ = 0, window_hits_ = 0;
  bool off_ = false;
  std::vector<Entry> entries_;  // empty or a power of two, at least 2 * size_
  std::string bytes_;
};

}  // namespace leadscore::engine
