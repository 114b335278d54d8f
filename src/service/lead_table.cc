#include "service/lead_table.h"

#include <algorithm>
#include <cstring>

#include "core/bytes_equal.h"

namespace leadscore::service {

std::string_view Arena::CopyAny(std::string_view bytes) {
  if (bytes.empty()) return {};
  if (bytes.size() > kChunk / 4) {
    big_.push_back(std::make_unique_for_overwrite<char[]>(bytes.size()));
    std::memcpy(big_.back().get(), bytes.data(), bytes.size());
    return {big_.back().get(), bytes.size()};
  }
  if (chunks_.empty()) chunks_.push_back(NewChunk());
  if (used_ + bytes.size() > kChunk) {
    if (++current_ == chunks_.size()) chunks_.push_back(NewChunk());
    used_ = 0;
  }
  char* dst = chunks_[current_].get() + used_;
  std::memcpy(dst, bytes.data(), bytes.size());
  used_ += bytes.size();
  return {dst, bytes.size()};
}

void Arena::Reset() {
  big_.clear();
  current_ = 0;
  used_ = 0;
}

LeadTable::LeadTable(size_t num_fields) : num_fields_(num_fields) { slots_.assign(1024, Slot{}); }

LeadTable::Slot LeadTable::MakeSlot(uint32_t row, uint64_t hash, std::string_view stored_id) {
  Slot slot{};
  slot.row_plus_one = row + 1;
  slot.tag = TagOf(hash);
  if (stored_id.size() <= kInline) {
    slot.length = static_cast<uint16_t>(stored_id.size());
    std::memcpy(slot.bytes, stored_id.data(), stored_id.size());
  } else {
    slot.length = stored_id.size() < kLongId ? static_cast<uint16_t>(stored_id.size()) : kLongId;
    const char* bytes = stored_id.data();
    std::memcpy(slot.bytes, &bytes, sizeof bytes);
  }
  return slot;
}

bool LeadTable::SameId(const Slot& slot, std::string_view id) const {
  if (slot.length <= kInline) {
    return slot.length == id.size() && BytesEqual(slot.bytes, id.data(), id.size());
  }
  if (slot.length == kLongId) return ids_[slot.row_plus_one - 1] == id;
  if (slot.length != id.size()) return false;
  const char* bytes;
  std::memcpy(&bytes, slot.bytes, sizeof bytes);
  return BytesEqual(bytes, id.data(), id.size());
}

int64_t LeadTable::Find(std::string_view id, uint64_t hash) const {
  const uint16_t tag = TagOf(hash);
  for (size_t i = SlotOf(hash);; i = Next(i)) {
    const Slot& slot = slots_[i];
    if (slot.row_plus_one == 0) return -1;
    if (slot.tag == tag && SameId(slot, id)) return slot.row_plus_one - 1;
  }
}

uint32_t LeadTable::Insert(std::string_view id, uint64_t hash) {
  if ((ids_.size() + 1) * 10 > slots_.size() * 7) Grow();
  uint32_t row = static_cast<uint32_t>(ids_.size());
  ids_.push_back(arena_.Copy(id));
  hashes_.push_back(hash);
  lines_.push_back(0);
  attributes_.resize(attributes_.size() + num_fields_);
  size_t i = SlotOf(hash);
  while (slots_[i].row_plus_one != 0) i = Next(i);
  slots_[i] = MakeSlot(row, hash, ids_.back());
  return row;
}

void LeadTable::Reserve(size_t leads) {
  ids_.reserve(leads);
  hashes_.reserve(leads);
  lines_.reserve(leads);
  attributes_.reserve(leads * num_fields_);
  // One allocation at the final size: each doubling on the way would zero a fresh table.
  const size_t slots = leads * 10 / 7 + 2;
  if (slots > slots_.size()) Rehash(slots);
}

void LeadTable::Grow() { Rehash(slots_.size() * 2); }

void LeadTable::Rehash(size_t slot_count) {
  decltype(slots_)(slot_count, Slot{}).swap(slots_);
  for (uint32_t row = 0; row < ids_.size(); ++row) {
    size_t i = SlotOf(hashes_[row]);
    while (slots_[i].row_plus_one != 0) i = Next(i);
    slots_[i] = MakeSlot(row, hashes_[row], ids_[row]);
  }
}

void LeadTable::SetAttribute(uint32_t row, size_t slot, const Value& value) {
  Value stored = value.is_string() ? Value::String(arena_.Copy(value.str())) : value;
  attributes_[static_cast<size_t>(row) * num_fields_ + slot] = stored;
}

bool FingerprintSet::Insert(uint64_t fp) {
  if (fp == 0) fp = 1;  // 0 marks an empty slot
  if ((size_ + 1) * 5 > table_.size() * 4) Rehash(std::max<size_t>(1024, table_.size() * 2));
  const size_t n = table_.size();
  for (size_t i = SlotOf(fp);; i = i + 1 == n ? 0 : i + 1) {
    if (table_[i] == fp) return false;
    if (table_[i] == 0) {
      table_[i] = fp;
      ++size_;
      return true;
    }
  }
}

bool FingerprintSet::Contains(uint64_t fp) const {
  if (fp == 0) fp = 1;
  const size_t n = table_.size();
  if (n == 0) return false;
  for (size_t i = SlotOf(fp);; i = i + 1 == n ? 0 : i + 1) {
    if (table_[i] == fp) return true;
    if (table_[i] == 0) return false;
  }
}

bool FingerprintSet::Erase(uint64_t fp) {
  if (fp == 0) fp = 1;
  const size_t n = table_.size();
  if (n == 0) return false;
  size_t hole = SlotOf(fp);
  for (;; hole = hole + 1 == n ? 0 : hole + 1) {
    if (table_[hole] == 0) return false;
    if (table_[hole] == fp) break;
  }
  // Backward-shift deletion: every later entry of the run that may sit in the hole moves
  // there, so that no lookup stops early at an empty slot.
  for (size_t j = hole + 1 == n ? 0 : hole + 1; table_[j] != 0; j = j + 1 == n ? 0 : j + 1) {
    const size_t home = SlotOf(table_[j]);
    // The entry may move back to `hole` when `hole` lies cyclically in [home, j).
    const bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
    if (movable) {
      table_[hole] = table_[j];
      hole = j;
    }
  }
  table_[hole] = 0;
  --size_;
  return true;
}

void FingerprintSet::Reserve(size_t n) {
  size_t capacity = n + n / 4 + 1024;  // at most 80% full
  if (capacity > table_.size()) Rehash(capacity);
}

void FingerprintSet::Rehash(size_t capacity) {
  std::vector<uint64_t> old;
  old.swap(table_);
  table_.assign(capacity, 0);
  for (uint64_t fp : old) {
    if (fp == 0) continue;
    size_t i = SlotOf(fp);
    while (table_[i] != 0) i = i + 1 == capacity ? 0 : i + 1;
    table_[i] = fp;
  }
}

}  // namespace leadscore::service
