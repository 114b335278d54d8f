// LeadState storage: the engagement state of many leads in one flat table.
//
// Invariants (see RuleKind in compiled_model.h for each rule's slots):
//  1. A row depends only on the set of events applied, never on their order (up to the
//     rounding of a sum of doubles): sums are commutative, half-life sums are kept at the
//     table's reference time, count windows keep the newest timestamps, `once` the latest.
//  2. A row is O(number of rules): count-window rules keep `count` timestamps, expiring rules
//     keep the timestamps of events younger than their expiry (in side lists).
// Not thread-safe; rows of distinct leads may be updated by distinct threads only if the table
// is not growing.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "core/cache_line_allocator.h"
#include "core/prefault.h"
#include "core/time.h"
#include "engine/compiled_model.h"

namespace leadscore::engine {

union StateSlot {
  double sum;
  Timestamp ts;
  int64_t n;
};

inline constexpr Timestamp kNoTime = std::numeric_limits<Timestamp>::min();

class StateTable {
 public:
  // `reference`: the time half-life sums are kept at (see RuleKind::kHalfLife). Any time
  // works; the as-of time of a run makes each term exactly the contract's. Events far from it
  // (more than ~1000 half-lives) lose precision.
  StateTable(const CompiledModel& model, Timestamp reference);

  Timestamp reference() const { return reference_; }

  // Adds a lead with no events; returns its row index.
  uint32_t AddLead();
  void Reserve(size_t leads);
  // What Reserve set aside and no lead uses yet (core/prefault.h).
  std::span<const std::byte> SpareMemory() const { return SpareCapacity(slots_); }
  size_t size() const { return rows_; }

  StateSlot* Row(uint32_t lead) { return slots_.data() + static_cast<size_t>(lead) * stride_; }
  const StateSlot* Row(uint32_t lead) const {
    return slots_.data() + static_cast<size_t>(lead) * stride_;
  }

  // Hints that lead `lead` is about to be updated: brings its row into the cache.
  void Prefetch(uint32_t lead) const {
    // Every line the row touches: a row whose size is not a multiple of a line crosses one.
    const auto begin = reinterpret_cast<uintptr_t>(Row(lead));
    const uintptr_t end = begin + stride_ * sizeof(StateSlot);
    for (uintptr_t line = begin & ~uintptr_t{kCacheLine - 1}; line < end; line += kCacheLine) {
      __builtin_prefetch(reinterpret_cast<const void*>(line), 1);
      // GCC deletes a loop without side effects, and a prefetch is none: a loop of prefetches
      // alone (the batch apply's read-ahead) vanished at -O3. An empty volatile asm is one.
      asm volatile("");
    }
  }

  // Side lists of timestamps for expiring rules; a slot holds the list index (or -1).
  std::vector<Timestamp>& List(int64_t index) { return lists_[index]; }
  const std::vector<Timestamp>& List(int64_t index) const { return lists_[index]; }
  int64_t NewList() {
    lists_.emplace_back();
    return static_cast<int64_t>(lists_.size() - 1);
  }

  // Copies lead `lead` of `other` (same model, same reference) into a new row; returns its
  // index.
  uint32_t CopyLead(const StateTable& other, uint32_t lead);

 private:
  const CompiledModel* model_;
  uint32_t stride_;
  Timestamp reference_;
  // Kept rather than derived from slots_: the batch apply loop asks for it twice an event, and a
  // division there was a 64-bit div per call.
  size_t rows_ = 0;
  std::vector<StateSlot> initial_;
  // Rows start on a cache line, so that a row of 128 bytes is two lines
  // (core/cache_line_allocator.h).
  std::vector<StateSlot, CacheLineAllocator<StateSlot>> slots_;
  std::vector<std::vector<Timestamp>> lists_;
};

}  // namespace leadscore::engine
