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

bool CompactFingerprintSet::Probe(size_t region, uint64_t low, size_t& empty) const {
  const size_t begin = region * region_slots_, end = begin + region_slots_;
  const size_t limit = std::min(region_slots_, kMaxProbe);
  size_t i = begin + OffsetOf(low);
  for (size_t walked = 0; walked < limit; ++walked, i = i + 1 == end ? begin : i + 1) {
    const uint64_t there = Load(i);
    if (there == low) return true;
    if (there == 0) {
      empty = i;
      return false;
    }
  }
  empty = SIZE_MAX;
  return false;
}

bool CompactFingerprintSet::Contains(uint64_t fp) const {
  if (region_slots_ == 0) return false;
  const size_t region = RegionOf(fp);
  size_t empty;
  if (Probe(region, LowOf(fp), empty)) return true;
  return Overflowed(region) && overflow_.contains(FullOf(fp));
}

bool CompactFingerprintSet::Insert(uint64_t fp) {
  if (region_slots_ == 0) Resize(SlotsPerRegion(0, kRegions));
  if ((size_ + 1) * 5 > kRegions * region_slots_ * 4) Resize(region_slots_ * 2);
  const size_t region = RegionOf(fp);
  size_t empty;
  if (Probe(region, LowOf(fp), empty)) return false;
  if (Overflowed(region) && overflow_.contains(FullOf(fp))) return false;
  Place(fp, empty);
  ++size_;
  return true;
}

void CompactFingerprintSet::Place(uint64_t fp, size_t empty) {
  if (empty != SIZE_MAX) {
    Store(empty, LowOf(fp));
  } else {
    overflow_.insert(FullOf(fp));
    const size_t region = RegionOf(fp);
    overflowed_[region / 64] |= uint64_t{1} << (region % 64);
  }
}

void CompactFingerprintSet::Add(uint64_t fp) {
  size_t empty;
  if (!Probe(RegionOf(fp), LowOf(fp), empty)) Place(fp, empty);
}

void CompactFingerprintSet::Reserve(size_t n) {
  const size_t slots = SlotsPerRegion(n, kRegions);
  if (slots > region_slots_) Resize(slots);
}

void CompactFingerprintSet::Resize(size_t region_slots) {
  const size_t old_slots = region_slots_;
  std::vector<unsigned char> old;
  old.swap(bytes_);
  std::unordered_set<uint64_t> overflow;
  overflow.swap(overflow_);
  std::fill(overflowed_.begin(), overflowed_.end(), 0);
  bytes_.assign(kRegions * region_slots * kSlotBytes + sizeof(uint64_t) - kSlotBytes, 0);
  region_slots_ = region_slots;
  for (size_t region = 0; region < kRegions && old_slots != 0; ++region) {
    for (size_t i = region * old_slots; i < (region + 1) * old_slots; ++i) {
      uint64_t low;
      std::memcpy(&low, old.data() + i * kSlotBytes, sizeof low);
      low &= kLowMask;
      if (low != 0) Add(region << kLowBits | low);
    }
  }
  for (uint64_t fp : overflow) Add(fp);
}

}  // namespace leadscore::service
