// NumberedLeadIndex: the rows of the leads whose ids are a number after a shared prefix
// (`L0000042`, `lead-42`, `42`), by that number.
//
// A batch's events look their leads up among the leads file's, 30M times for W1 and in no
// order. LeadTable's slots took 32 bytes a lead (46 MB for 1M leads; 64 now): nearly every lookup
// missed the cache and the TLB, and the lookups were 12% of a 1M run's samples. Ids a CRM numbers
// in sequence are the common case; for them this index is an array of 4-byte rows by number (4 MB
// for 1M leads), which the cache holds.
//
// An id has the index's form when it is the prefix followed by a number written the way most
// of the first ids wrote theirs: exactly `width` digits (leading zeros included), or digits
// without leading zeros. The form is one-to-one: two ids with the form
// have the same number only when they are the same id. Every lead of the table whose id has
// the form is in the array, so an id with the form that the array does not hold is not a lead
// of the table; an id without the form is for LeadTable::Find to settle.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes_equal.h"
#include "service/lead_table.h"

namespace leadscore::service {

class NumberedLeadIndex {
 public:
  NumberedLeadIndex() = default;  // holds nothing: Find always defers to the table

  // The index of `leads`' ids, or an empty one when fewer than half of them share a form, or
  // their numbers spread over more than 4 array slots per lead.
  static NumberedLeadIndex Build(const LeadTable& leads);

  // Where the row of `id` would be kept (for Prefetch and RowAt) when `id` has the form; kNoLead
  // when it has the form and a number beyond the leads'; kNoForm when it does not have the form,
  // and only the table can tell.
  static constexpr int64_t kNoLead = -1;
  static constexpr int64_t kNoForm = -2;
  int64_t SlotOf(std::string_view id) const {
    // BytesEqual rather than starts_with, whose memcmp call was 1% of a W1 run.
    if (rows_.empty() || id.size() <= prefix_.size() ||
        !BytesEqual(id.data(), prefix_.data(), prefix_.size())) {
      return kNoForm;
    }
    auto number = NumberOf(id.substr(prefix_.size()));
    if (!number) return kNoForm;
    if (*number < base_ || *number - base_ >= rows_.size()) return kNoLead;
    return static_cast<int64_t>(*number - base_);
  }
  // Hints that RowAt(slot) is coming. The array is small, but a run's stream of events evicts
  // it from the cache between two lookups of a line.
  void Prefetch(int64_t slot) const { __builtin_prefetch(&rows_[static_cast<size_t>(slot)]); }
  // The row kept at `slot`, a result of SlotOf at least 0, or -1: no lead has this id.
  int64_t RowAt(int64_t slot) const {
    return static_cast<int64_t>(rows_[static_cast<size_t>(slot)]) - 1;
  }

  // The row of `id` when it has the form (-1: no lead of the table has this id); nullopt when
  // it does not, and only the table can tell.
  std::optional<int64_t> Find(std::string_view id) const {
    const int64_t slot = SlotOf(id);
    if (slot == kNoForm) return std::nullopt;
    return slot == kNoLead ? -1 : RowAt(slot);
  }

  bool empty() const { return rows_.empty(); }
  size_t size() const { return indexed_; }  // leads the array holds

 private:
  static constexpr size_t kMaxDigits = 18;  // below 10^18: never overflows

  // The number `digits` writes in the index's form.
  std::optional<uint64_t> NumberOf(std::string_view digits) const {
    if (width_ != 0 ? digits.size() != width_
                    : digits.empty() || digits.size() > kMaxDigits ||
                          (digits[0] == '0' && digits.size() > 1)) {
      return std::nullopt;
    }
    uint64_t value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    return value;
  }

  std::string prefix_;          // never ends in a digit
  size_t width_ = 0;            // digits of every number; 0: any width, no leading zeros
  uint64_t base_ = 0;           // the smallest number
  std::vector<uint32_t> rows_;  // by number - base_: row + 1, or 0 for none
  size_t indexed_ = 0;
};

}  // namespace leadscore::service
