// EventIdKeys and EventIdSet: the event ids a batch has read, for its dedupe by event_id.
//
// An id is kept as a 64-bit fingerprint (CompactFingerprintSet: 6 bytes an id), unless it is a
// numbered id: the prefix most of the file's first ids share (`ev`, `evt_`, or none), then a
// decimal number without leading zeros, within kDenseSpan of the smallest number sampled. Such
// an id is a bit in a bitmap indexed by its number. Ids a database numbers in sequence then cost
// a bit each rather than 7.5 bytes, and the dedupe probes a table that fits in the cache rather
// than one of hundreds of MB (W1's 30.2M ids: 4 MiB against 249 MB, the run's largest table).
//
// EventIdKeys::Key turns an id into its key, on the parse workers; EventIdSet dedupes keys, in
// file order. Every id has exactly one key, and two ids share a key only when they are the same
// id or their fingerprints collide (as before): a numbered id's key has the top bits kDenseTag,
// and a fingerprint with those bits is moved out of that range.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "service/compact_fingerprint_set.h"

namespace leadscore::service {

class EventIdKeys {
 public:
  // Numbers at or beyond `base + kDenseSpan` are fingerprinted: the bitmap stays under 32 MB.
  static constexpr uint64_t kDenseSpan = uint64_t{1} << 28;

  EventIdKeys() = default;  // fingerprints only
  EventIdKeys(std::string prefix, uint64_t base) : prefix_(std::move(prefix)), base_(base) {}

  // The numbered form shared by most of `sample` (the first ids of a file), or fingerprints
  // only when there is none: at least 16 ids, 90% of them with one prefix.
  static EventIdKeys FromSample(std::span<const std::string> sample);

  // The key of a non-empty event id; never 0.
  uint64_t Key(std::string_view id) const;

  static bool IsNumbered(uint64_t key) { return key >> kNumberBits == kDenseTag; }
  static uint64_t NumberOf(uint64_t key) { return key & ((uint64_t{1} << kNumberBits) - 1); }
  // The key of an id that is not numbered, from its fingerprint.
  static uint64_t FingerprintKey(uint64_t fingerprint);

  bool numbered() const { return prefix_.has_value(); }
  const std::string& prefix() const { return *prefix_; }
  uint64_t base() const { return base_; }

 private:
  static constexpr int kNumberBits = 40;
  static constexpr uint64_t kDenseTag = (uint64_t{1} << (64 - kNumberBits)) - 1;

  std::optional<std::string> prefix_;
  uint64_t base_ = 0;
};

// The number at the end of `id` and where it starts, when the id ends in a decimal number of at
// most 18 digits without leading zeros ("0" itself is one).
struct TrailingNumber {
  size_t at;
  uint64_t value;
};
std::optional<TrailingNumber> TrailingNumberOf(std::string_view id);

class EventIdSet {
 public:
  // Inserts `key`; returns false when it was already there.
  bool Insert(uint64_t key) {
    if (!EventIdKeys::IsNumbered(key)) return fingerprints_.Insert(key);
    const uint64_t n = EventIdKeys::NumberOf(key);
    if (n / 64 >= bits_.size()) Grow(n);
    uint64_t& word = bits_[n / 64];
    const uint64_t bit = uint64_t{1} << (n % 64);
    if (word & bit) return false;
    word |= bit;
    return true;
  }
  // Reads where Insert(key) will start its probe (a fingerprint's slot; nothing for a numbered
  // key, whose bitmap stays in cache) and returns what it read: a loop reads a few dozen keys
  // ahead of its inserts and hands the XOR of the results to KeepReads. A software prefetch
  // did not do: on the VMs we measure, with an insert 64 events behind its prefetch, Insert's
  // first load still had 92% of its samples (the table's 4 KiB pages miss the TLB nearly every
  // time), while loads of 32 slots in a row, in flight together, took the dedupe stage from
  // 27% to 18% of a run's samples with W1's ids made UUIDs (1M leads, five alternating pairs:
  // median 5.66 -> 4.72 s, user time 10.2 -> 8.3 s; numbered ids unchanged, 3.61 / 3.62 s).
  uint64_t ReadAhead(uint64_t key) const {
    return EventIdKeys::IsNumbered(key) ? 0 : fingerprints_.ReadAhead(key);
  }
  // Keeps the compiler from dropping the reads of ReadAhead as unused.
  static void KeepReads(uint64_t reads) { asm volatile("" : : "r"(reads)); }
  // Sizes the fingerprint table for about `n` ids (see CompactFingerprintSet::Reserve).
  void Reserve(size_t n) { fingerprints_.Reserve(n); }
  size_t bitmap_bytes() const { return bits_.size() * sizeof(uint64_t); }

 private:
  void Grow(uint64_t n);

  std::vector<uint64_t> bits_;
  CompactFingerprintSet fingerprints_;
};

}  // namespace leadscore::service
