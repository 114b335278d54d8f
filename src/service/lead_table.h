// LeadTable: every lead of a batch run: its id, its attributes by lead slot, its row index.
//
// Ids and attribute strings are copied into an arena of fixed-size chunks, so views handed out
// stay valid as the table grows. Lookup is open addressing on a 64-bit hash with the id
// compared on a hash match. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/cache_line_allocator.h"
#include "core/hash_bytes.h"
#include "core/prefault.h"
#include "core/value.h"

namespace leadscore::service {

using leadscore::HashBytes;  // core/hash_bytes.h: lead ids and event-id fingerprints

// Bytes that never move once written.
class Arena {
 public:
  // Inline for copies of 1 to 16 bytes that fit the current chunk (an event's lead id, 30M
  // times in a W1 run), where the call and memcpy's dispatch cost 50 instructions a copy.
  std::string_view Copy(std::string_view bytes) {
    const size_t n = bytes.size();
    if (n - 1 < 16 && current_ < chunks_.size() && used_ + n <= kChunk) {
      char* dst = chunks_[current_].get() + used_;
      CopyShort(dst, bytes.data(), n);
      used_ += n;
      return {dst, n};
    }
    return CopyAny(bytes);
  }
  // Forgets every copy but keeps the chunks for the next ones.
  void Reset();

 private:
  std::string_view CopyAny(std::string_view bytes);
  // REQUIRES: 1 <= n <= 16. Two overlapping moves of 8, 4 or 1 bytes, by n.
  static void CopyShort(char* dst, const char* src, size_t n) {
    if (n >= 8) {
      uint64_t head, tail;
      std::memcpy(&head, src, 8);
      std::memcpy(&tail, src + n - 8, 8);
      std::memcpy(dst, &head, 8);
      std::memcpy(dst + n - 8, &tail, 8);
    } else if (n >= 4) {
      uint32_t head, tail;
      std::memcpy(&head, src, 4);
      std::memcpy(&tail, src + n - 4, 4);
      std::memcpy(dst, &head, 4);
      std::memcpy(dst + n - 4, &tail, 4);
    } else {
      dst[0] = src[0];
      dst[n / 2] = src[n / 2];
      dst[n - 1] = src[n - 1];
    }
  }
  static constexpr size_t kChunk = size_t{2} << 20;
  using Chunk = std::unique_ptr<char[]>;
  static Chunk NewChunk() { return std::make_unique_for_overwrite<char[]>(kChunk); }

  std::vector<Chunk> chunks_;                 // chunks_[current_] is being filled
  std::vector<std::unique_ptr<char[]>> big_;  // copies larger than kChunk / 4
  size_t current_ = 0;
  size_t used_ = 0;
};

class LeadTable {
 public:
  explicit LeadTable(size_t num_fields);

  // The row of `id`, or -1.
  int64_t Find(std::string_view id, uint64_t hash) const;
  // Hints that Find(…, hash) is coming: brings its slot into the cache. PrefetchId, called
  // later, brings the id bytes the slot points to.
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[SlotOf(hash)]); }
  void PrefetchId(uint64_t hash) const {
    const Slot& slot = slots_[SlotOf(hash)];
    if (slot.row_plus_one != 0 && slot.length > kInline) {
      const char* bytes;
      std::memcpy(&bytes, slot.bytes, sizeof bytes);
      __builtin_prefetch(bytes);
    }
  }
  // Sizes the index for about `leads` leads.
  void Reserve(size_t leads);
  // What Reserve set aside and no row uses yet (core/prefault.h).
  std::vector<std::span<const std::byte>> SpareMemory() const {
    return {SpareCapacity(ids_), SpareCapacity(hashes_), SpareCapacity(lines_),
            SpareCapacity(attributes_)};
  }
  // Adds `id` with all attributes null; returns its row. REQUIRES: Find(id) == -1.
  uint32_t Insert(std::string_view id, uint64_t hash);
  // Frees the index that Find and Insert use, keeping the rows (ids, attributes, lines), for a
  // batch that is only ranked and written from here on: W1 1M's 92 MB of slots are returned
  // before the ranking takes its own (peak RSS 444-455 -> 422-423 MB). jemalloc does not hand
  // them to the ranking: they are purged first, and the ranking faults in fresh pages as before.
  // REQUIRES: neither Find nor Insert is called afterwards.
  void DropIndex() { decltype(slots_)().swap(slots_); }

  size_t size() const { return ids_.size(); }
  std::string_view id(uint32_t row) const { return ids_[row]; }
  // Hints that id(row) is coming, for a walk of the rows out of order: PrefetchIdView brings
  // where the id is, PrefetchIdBytes, called later, the id itself.
  void PrefetchIdView(uint32_t row) const { __builtin_prefetch(&ids_[row]); }
  void PrefetchIdBytes(uint32_t row) const { __builtin_prefetch(ids_[row].data()); }
  std::span<const Value> attributes(uint32_t row) const {
    return {attributes_.data() + static_cast<size_t>(row) * num_fields_, num_fields_};
  }
  // Stores `value` (copying string bytes) as attribute `slot` of `row`.
  void SetAttribute(uint32_t row, size_t slot, const Value& value);
  // Line of the leads file that defined `row` (0: known only from events).
  uint64_t line(uint32_t row) const { return lines_[row]; }
  void set_line(uint32_t row, uint64_t line) { lines_[row] = line; }

 private:
  void Grow();
  void Rehash(size_t slot_count);

  size_t num_fields_;
  Arena arena_;
  std::vector<std::string_view> ids_;
  std::vector<uint64_t> hashes_;
  std::vector<uint64_t> lines_;
  std::vector<Value> attributes_;
  // Open addressing with 64-byte slots, one cache line each: the row (+1; 0 = empty), 16 bits
  // of the hash, the id's length and the id itself when it fits in 56 bytes (else where its
  // bytes are), so that a lookup of a typical id touches one cache line. Measured on 1M leads /
  // 30M events: comparing ids through a pointer cost 15% of the run in cache misses; with
  // 32-byte slots (24 inline bytes) a UUID (36) still went through the pointer, and W1 with
  // UUID lead ids took 4.22-4.45 s against 3.98-4.09 s now, for 45 MB more at 1M leads.
  static constexpr size_t kInline = 56;
  static constexpr uint16_t kLongId = 0xffff;  // length does not fit: compare through ids_
  struct Slot {
    uint32_t row_plus_one;
    uint16_t tag;
    uint16_t length;
    char bytes[kInline];
  };
  static_assert(sizeof(Slot) == kCacheLine);
  static uint16_t TagOf(uint64_t hash) { return static_cast<uint16_t>(hash >> 48); }
  // The home slot, from the 48 bits the tag does not use; any slot count works (multiply-shift),
  // so Reserve sizes the index close to 70% full rather than to a power of two (1M leads:
  // 1.43M slots of 64 bytes, 92 MB, rather than 2M, 128 MB).
  size_t SlotOf(uint64_t hash) const {
    __extension__ using Wide = unsigned __int128;  // GCC and clang; -Wpedantic knows it
    return static_cast<size_t>((static_cast<Wide>(hash << 16) * slots_.size()) >> 64);
  }
  size_t Next(size_t slot) const { return slot + 1 == slots_.size() ? 0 : slot + 1; }
  static Slot MakeSlot(uint32_t row, uint64_t hash, std::string_view stored_id);
  bool SameId(const Slot& slot, std::string_view id) const;
  // A slot a cache line, none across two (core/cache_line_allocator.h).
  std::vector<Slot, CacheLineAllocator<Slot>> slots_;
};

// A set of 64-bit fingerprints (event ids): 8 bytes per id at 50-70% load.
// The table's size need not be a power of two (slots are picked by a multiply-shift), so that
// Reserve can size it close to the need: 30M ids fit in 320 MB rather than 512 MB.
class FingerprintSet {
 public:
  // Inserts `fp`; returns false when it was already there.
  bool Insert(uint64_t fp);
  bool Contains(uint64_t fp) const;
  // Removes `fp`; false when it was not there.
  bool Erase(uint64_t fp);
  // Sizes the table for about `n` fingerprints.
  void Reserve(size_t n);
  void Prefetch(uint64_t fp) const {
    if (!table_.empty()) __builtin_prefetch(&table_[SlotOf(fp)]);
  }
  size_t size() const { return size_; }

 private:
  size_t SlotOf(uint64_t fp) const {
    __extension__ using Wide = unsigned __int128;  // GCC and clang; -Wpedantic knows it
    return static_cast<size_t>((static_cast<Wide>(fp) * table_.size()) >> 64);
  }
  void Rehash(size_t capacity);
  std::vector<uint64_t> table_;
  size_t size_ = 0;
};

}  // namespace leadscore::service
