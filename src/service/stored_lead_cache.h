// StoredLeadCache: the rescorer's copy of what the store holds of the leads it scored last:
// each lead's row and its stored score under each model (lead_scores), so that rescoring a
// lead after an event reads neither from the store.
//
// Why: under a stream of writes SQLite empties a reader's page cache at its first read after
// each commit of another connection, so the two lookups a lead took (its row, its score per
// model) were a few B-tree descents through `pread` each: about half of the rescorer's
// CPU per single event (bench/README.md: 48-58 -> 26-33 us an event).
//
// It stays equal to the store because of who writes what (the owner keeps these true):
//  1. The scores: only the rescorer writes lead_scores (it updates an entry after its write
//     committed, never before); the store deletes them only with the lead (3).
//  2. A lead's row changes only by an attribute upsert, which the writer reports after its
//     commit; the rescorer forgets the entry when it takes that report, before it loads the
//     lead again. A row inserted for a new lead has no entry to go stale.
//  3. A deleted lead is forgotten in the same way.
// An entry a write made stale between a rescorer's load and that report is used at most by
// the chunk in flight, which the report marks dirty again: the same as a read from a snapshot
// taken just before the write.
//
// Entries are dropped in no particular order when the bytes held pass the budget. Used by one
// thread (the rescorer's): not thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace leadscore::service {

class StoredLeadCache {
 public:
  explicit StoredLeadCache(size_t budget_bytes) : budget_(budget_bytes) {}

  struct Entry {
    store::LeadRow lead;
    std::vector<store::ScoreRow> scores;  // one per model that has a stored score
  };
  // The lead's entry, or null.
  const Entry* Find(std::string_view lead_id) const;
  // The lead's stored score under `model` from `entry`, or nullopt (none stored).
  static std::optional<store::ScoreRow> ScoreOf(const Entry& entry, std::string_view model);
  // Keeps the lead's row and stored scores as just read from the store.
  void Put(Entry entry);
  // These scores were committed: an entry of their lead takes them (a lead without one is
  // left out: its row is not known).
  void UpdateScores(std::span<const store::ScoreRow> scores);
  void Forget(std::string_view lead_id);

  size_t size() const { return entries_.size(); }
  size_t bytes() const { return bytes_; }

 private:
  static size_t BytesOf(const Entry& entry);
  void EvictOverBudget();

  // Looks a lead up by string_view, without a std::string made for it.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  const size_t budget_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;  // by lead_id
  size_t bytes_ = 0;
};

}  // namespace leadscore::service
