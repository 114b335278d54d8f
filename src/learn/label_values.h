// The values a table's label column holds and how often. A conversion is one value (--positive)
// against every other, so a third value (`Open`) or the positive one in another case (`won`)
// would count as a non-conversion unseen; train and evaluate show the values instead.
// Not thread-safe: one per reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace leadscore::learn {

// A label's distinct values, most frequent first (ties by value), and the rows whose value came
// after kMaxDistinct others (a column of ids given as the label would otherwise grow without
// bound).
struct LabelValues {
  static constexpr size_t kMaxDistinct = 1000;
  std::vector<std::pair<std::string, uint64_t>> counts = {};
  uint64_t uncounted_rows = 0;
};

// Counts label cells as a table streams.
class LabelCounter {
 public:
  // `value`: the cell as the table reads it (trimmed, not empty).
  void Add(std::string_view value);
  LabelValues Finish() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, uint64_t, Hash, std::equal_to<>> count_of_;
  uint64_t uncounted_rows_ = 0;
};

// A note for stderr when the label is not plainly two values, one of them `positive`: more
// than two values, or a value that differs from `positive` only in case. Empty otherwise.
// E.g. "label Status: Won 167 (positive); Lost 244, Open 37 (negative)".
std::string LabelValuesNote(const LabelValues& values, std::string_view label,
                            std::string_view positive);

// The values for an error that `positive` was never found: "`Won` 167 rows, `Lost` 244 rows",
// the `limit` most frequent.
std::string LabelValuesSeen(const LabelValues& values, size_t limit = 10);

}  // namespace leadscore::learn
