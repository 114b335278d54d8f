// ParsedEventCache: the parsed events (parsed_events.h) of the leads the live service read
// last, so that reading a lead again costs neither the store's reads nor the parse: a lead's
// events are scattered over the log in arrival order, one B-tree seek each, and for a lead
// with hundreds of events those seeks and the parse were most of a GET (bench/README.md).
//
// An entry holds the events it was parsed from, named by their count and the last one's seq:
// a lead's seqs only grow by appends, seqs are never reused (AUTOINCREMENT, a sequence), and a
// deleted lead's events are all gone, so (count, last seq) names its list. The caller asks
// with the lead's current seqs (EventLog::SeqsOf): an entry for all of them is a hit, one for
// their first `count` (events appended since) needs only the new ones parsed, anything else
// is a miss.
//
// Least recently used entries go first when the memory held passes the budget. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/compiled_model.h"
#include "service/parsed_events.h"

namespace leadscore::service {

struct ParsedEventCacheStats {
  uint64_t hits = 0;
  uint64_t extended = 0;  // held for the first events, the newest parsed on top
  uint64_t misses = 0;
  size_t bytes = 0;
  size_t entries = 0;
};

class ParsedEventCache {
 public:
  explicit ParsedEventCache(size_t budget_bytes) : budget_(budget_bytes) {}

  struct Found {
    std::shared_ptr<const ParsedEvents> events;  // null: a miss
    size_t count = 0;                            // of `seqs`, the first ones, it holds
  };
  // The lead's events parsed for `model`, for all of `seqs` (the lead's, ascending) or their
  // first ones.
  Found Find(const engine::CompiledModel* model, std::string_view lead_id,
             std::span<const int64_t> seqs);
  // Keeps `events` (parsed by a LeadScorer of `model` from the lead's `count` first events,
  // the last of which has `last_seq`), replacing what was held for the lead and model.
  void Put(std::shared_ptr<const engine::CompiledModel> model, std::string_view lead_id,
           size_t count, int64_t last_seq, std::shared_ptr<const ParsedEvents> events);

  ParsedEventCacheStats stats() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const engine::CompiledModel> model;  // so its address is not reused
    size_t count = 0;
    int64_t last_seq = 0;
    std::shared_ptr<const ParsedEvents> events;
    size_t bytes = 0;
  };
  static std::string Key(const engine::CompiledModel* model, std::string_view lead_id);
  void EvictOverBudget();  // REQUIRES: mu_ held

  const size_t budget_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // keys in lru_
  size_t bytes_ = 0;
  uint64_t hits_ = 0, extended_ = 0, misses_ = 0;
};

}  // namespace leadscore::service
