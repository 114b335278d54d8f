#include "learn/label_values.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace leadscore::learn {
namespace {

constexpr size_t kListed = 10;  // values a note names before "and N more"

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string MoreValues(size_t values, uint64_t rows) {
  return fmt::format("{} more value{} ({} row{})", values, values == 1 ? "" : "s", rows,
                     rows == 1 ? "" : "s");
}

}  // namespace

void LabelCounter::Add(std::string_view value) {
  if (auto it = count_of_.find(value); it != count_of_.end()) {
    ++it->second;
  } else if (count_of_.size() < LabelValues::kMaxDistinct) {
    count_of_.emplace(std::string(value), 1);
  } else {
    ++uncounted_rows_;
  }
}

LabelValues LabelCounter::Finish() const {
  LabelValues out;
  out.counts.assign(count_of_.begin(), count_of_.end());
  std::sort(out.counts.begin(), out.counts.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  out.uncounted_rows = uncounted_rows_;
  return out;
}

std::string LabelValuesNote(const LabelValues& values, std::string_view label,
                            std::string_view positive) {
  const auto& counts = values.counts;
  const bool case_only = std::any_of(counts.begin(), counts.end(), [&](const auto& c) {
    return c.first != positive && EqualsIgnoreCase(c.first, positive);
  });
  if (counts.size() <= 2 && values.uncounted_rows == 0 && !case_only) return {};
  uint64_t positives = 0;
  std::string negative;
  size_t listed = 0, unlisted = 0;
  uint64_t unlisted_rows = values.uncounted_rows;
  for (const auto& [value, rows] : counts) {
    if (value == positive) {
      positives = rows;
    } else if (listed < kListed) {
      negative += fmt::format("{}{} {}", listed++ ? ", " : "", value, rows);
    } else {
      ++unlisted;
      unlisted_rows += rows;
    }
  }
  if (unlisted > 0 || values.uncounted_rows > 0) {
    negative +=
        ", and " + (values.uncounted_rows > 0 ? fmt::format("{} rows of more values", unlisted_rows)
                                              : MoreValues(unlisted, unlisted_rows));
  }
  return fmt::format("label {}: {} {} (positive); {} (negative)", label, positive, positives,
                     negative);
}

std::string LabelValuesSeen(const LabelValues& values, size_t limit) {
  std::string out;
  uint64_t rest_rows = values.uncounted_rows;
  size_t rest = 0;
  for (size_t i = 0; i < values.counts.size(); ++i) {
    const auto& [value, rows] = values.counts[i];
    if (i < limit) {
      out += fmt::format("{}`{}` {} row{}", i ? ", " : "", value, rows, rows == 1 ? "" : "s");
    } else {
      ++rest;
      rest_rows += rows;
    }
  }
  if (rest > 0 || values.uncounted_rows > 0) {
    out += ", and " + (values.uncounted_rows > 0 ? fmt::format("{} rows of more values", rest_rows)
                                                 : MoreValues(rest, rest_rows));
  }
  return out;
}

}  // namespace leadscore::learn
