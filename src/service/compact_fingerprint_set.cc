#include "service/compact_fingerprint_set.h"

#include <algorithm>
#include <cmath>

namespace leadscore::service {
namespace {

// Slots per region for about `n` fingerprints: 80% full on average, and room for the fullest
// of the 65,536 regions (their counts spread as a Poisson law: the fullest is about 4.5
// standard deviations above the mean).
size_t SlotsPerRegion(size_t n, size_t regions) {
  const double mean = static_cast<double>(n) / static_cast<double>(regions);
  const double roomy = mean * 1.25;
  const double fullest = mean + 5 * std::sqrt(mean) + 4;
  return std::max<size_t>(4, static_cast<size_t>(std::ceil(std::max(roomy, fullest))));
}

}  // namespace

bool CompactFingerprintSet::Place(size_t region, uint64_t low) {
  if (Full(region)) return false;
  const size_t begin = region * region_slots_, end = begin + region_slots_;
  for (size_t i = begin + OffsetOf(low);; i = i + 1 == end ? begin : i + 1) {
    if (Load(i) == 0) {
      Store(i, low);
      ++counts_[region];
      return true;
    }
  }
}

bool CompactFingerprintSet::Contains(uint64_t fp) const {
  if (region_slots_ == 0) return false;
  const size_t region = RegionOf(fp);
  const uint64_t low = LowOf(fp);
  const size_t begin = region * region_slots_, end = begin + region_slots_;
  for (size_t i = HomeOf(fp);; i = i + 1 == end ? begin : i + 1) {
    const uint64_t there = Load(i);
    if (there == low) return true;
    if (there == 0) break;
  }
  return Full(region) && overflow_.contains(fp >> kLowBits << kLowBits | low);
}

bool CompactFingerprintSet::Insert(uint64_t fp) {
  if (region_slots_ == 0) Resize(SlotsPerRegion(0, kRegions));
  if ((size_ + 1) * 5 > kRegions * region_slots_ * 4) Resize(region_slots_ * 2);
  const size_t region = RegionOf(fp);
  const uint64_t low = LowOf(fp);
  const size_t begin = region * region_slots_, end = begin + region_slots_;
  size_t i = HomeOf(fp);
  for (;; i = i + 1 == end ? begin : i + 1) {
    const uint64_t there = Load(i);
    if (there == low) return false;
    if (there == 0) break;
  }
  if (Full(region)) {
    if (!overflow_.insert(fp >> kLowBits << kLowBits | low).second) return false;
  } else {
    Store(i, low);
    ++counts_[region];
  }
  ++size_;
  return true;
}

void CompactFingerprintSet::Reserve(size_t n) {
  const size_t slots = SlotsPerRegion(n, kRegions);
  if (slots > region_slots_) Resize(slots);
}

void CompactFingerprintSet::Resize(size_t region_slots) {
  const size_t old_slots = region_slots_;
  HugeVector<unsigned char> old;
  old.swap(bytes_);
  bytes_.assign(kRegions * region_slots * kSlotBytes + sizeof(uint64_t) - kSlotBytes, 0);
  region_slots_ = region_slots;
  counts_.assign(kRegions, 0);
  for (size_t region = 0; region < kRegions && old_slots != 0; ++region) {
    for (size_t i = region * old_slots; i < (region + 1) * old_slots; ++i) {
      uint64_t low;
      std::memcpy(&low, old.data() + i * kSlotBytes, sizeof low);
      low &= kLowMask;
      // A larger region takes at least what the smaller one held.
      if (low != 0) Place(region, low);
    }
  }
  std::unordered_set<uint64_t> overflow;
  overflow.swap(overflow_);
  for (uint64_t fp : overflow) {
    if (!Place(RegionOf(fp), fp & kLowMask)) overflow_.insert(fp);
  }
}

}  // namespace leadscore::service
