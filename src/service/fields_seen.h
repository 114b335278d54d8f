// Which of a model's lead fields a JSON Lines leads file gives a value, noted while its blocks
// are parsed. A CSV file says it in its header; a JSON Lines file only record by record, so a
// field no record has (`Product` where the file has `product`) would make every lead read it
// as null, unseen. One per parse worker; not thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/value.h"

namespace leadscore::service {

class FieldsSeen {
 public:
  FieldsSeen() = default;
  explicit FieldsSeen(size_t fields) : seen_(fields, 0), unseen_(fields) {}

  // Notes the fields of `row` (one value per field) that hold a value, appending to `first`
  // those this worker had not seen before. A row is looked at only while some field is unseen:
  // on a file that has them all, the first rows, then nothing.
  void Note(std::span<const Value> row, std::vector<uint32_t>& first) {
    if (unseen_ == 0) return;
    for (uint32_t f = 0; f < seen_.size() && f < row.size(); ++f) {
      if (seen_[f] || row[f].is_null()) continue;
      seen_[f] = 1;
      --unseen_;
      first.push_back(f);
    }
  }

 private:
  std::vector<uint8_t> seen_;
  size_t unseen_ = 0;
};

}  // namespace leadscore::service
