// CompactFingerprintSet: the event ids a batch has read, as 64-bit fingerprints, in 6 bytes
// each. Insert-only and sized for millions (an empty one takes 1.5 MB); FingerprintSet
// (lead_table.h) is the general one.
//
// A batch run's largest table (30M events: 341 MB at 8 bytes a slot), and on the VMs we measure
// on every fresh page of it costs a hypervisor fault. So it is a quotient table: the top 16
// bits of a fingerprint pick one of 65,536 regions of equal size, and a slot of that region
// holds only the other 48 bits. The region a slot lies in gives the top bits back, so the set
// is exact over the full 64 bits. Open addressing (linear probing) wraps within a region.
//
// The table grows (doubling every region) when it is 80% full on average. A fingerprint whose
// probe runs past kMaxProbe slots (a region crowded before that, because its fingerprints are
// not spread as hashes are) goes to a hash set of full fingerprints instead, and its region is
// marked, so that crafted ids cost time, not the memory of a table grown for one region, and a
// probe never walks a whole region.
#pragma once

#include <cstdint>
#include <cstring>
#include <unordered_set>
#include <vector>

namespace leadscore::service {

class CompactFingerprintSet {
 public:
  // Inserts `fp`; returns false when it was already there.
  bool Insert(uint64_t fp);
  bool Contains(uint64_t fp) const;
  // Sizes the table for about `n` fingerprints, so that it does not grow on the way there.
  void Reserve(size_t n);
  // Reads the slot where the probe for `fp` starts, so that an Insert(fp) soon after finds it
  // in the cache (see EventIdSet::ReadAhead); returns what it read.
  uint64_t ReadAhead(uint64_t fp) const { return region_slots_ != 0 ? Load(HomeOf(fp)) : 0; }
  size_t size() const { return size_; }
  // Bytes the table holds (for the docs' memory figures and the tests).
  size_t table_bytes() const { return bytes_.size(); }

 private:
  static constexpr int kLowBits = 48;
  static constexpr uint64_t kLowMask = (uint64_t{1} << kLowBits) - 1;
  static constexpr size_t kRegions = size_t{1} << (64 - kLowBits);
  static constexpr size_t kSlotBytes = 6;
  // Longer probes are rare at 80% (W1's 30M ids: none): the fingerprint goes to overflow_.
  static constexpr size_t kMaxProbe = 256;

  // The stored form of `fp`'s low bits; 0 marks an empty slot, so 0 is stored as 1 (two
  // fingerprints of one region that differ only there count as one: a 2^-48 chance).
  static uint64_t LowOf(uint64_t fp) {
    const uint64_t low = fp & kLowMask;
    return low == 0 ? 1 : low;
  }
  static size_t RegionOf(uint64_t fp) { return static_cast<size_t>(fp >> kLowBits); }
  // `fp` as overflow_ keeps it.
  static uint64_t FullOf(uint64_t fp) { return fp >> kLowBits << kLowBits | LowOf(fp); }
  // Where in its region the probe for the low bits `low` starts.
  size_t OffsetOf(uint64_t low) const {
    __extension__ using Wide = unsigned __int128;  // GCC and clang; -Wpedantic knows it
    return static_cast<size_t>((static_cast<Wide>(low) * region_slots_) >> kLowBits);
  }
  // Slot index (over the whole table) where the probe for `fp` starts.
  size_t HomeOf(uint64_t fp) const { return RegionOf(fp) * region_slots_ + OffsetOf(LowOf(fp)); }
  // Reads 8 bytes: the table has 2 bytes of padding past its last slot.
  uint64_t Load(size_t slot) const {
    uint64_t word;
    std::memcpy(&word, bytes_.data() + slot * kSlotBytes, sizeof word);
    return word & kLowMask;
  }
  void Store(size_t slot, uint64_t low) {
    std::memcpy(bytes_.data() + slot * kSlotBytes, &low, kSlotBytes);  // little-endian
  }
  // Probes `region` for `low`: true when found; else `empty` is the first empty slot within
  // kMaxProbe (and the region), or SIZE_MAX.
  bool Probe(size_t region, uint64_t low, size_t& empty) const;
  bool Overflowed(size_t region) const { return overflowed_[region / 64] >> (region % 64) & 1; }
  // Puts `fp` (in neither the table nor overflow_) in the slot `empty` Probe gave, or in
  // overflow_ when there was none.
  void Place(uint64_t fp, size_t empty);
  // Probe, then Place: for a fingerprint known to be in neither (Resize moving entries).
  void Add(uint64_t fp);
  void Resize(size_t region_slots);

  size_t region_slots_ = 0;
  std::vector<unsigned char> bytes_;
  std::unordered_set<uint64_t> overflow_;    // FullOf of what did not fit
  std::vector<uint64_t> overflowed_ =        // a bit per region with entries in overflow_
      std::vector<uint64_t>(kRegions / 64);  // (8 KB: stays in cache, where counts did not)
  size_t size_ = 0;
};

}  // namespace leadscore::service
