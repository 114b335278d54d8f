// Numbers as a person lists them in a message: "2", "2 and 5", "2, 3 and 5"; a long list is
// cut short: "2, 3, 4, 5, 6, 7, 8, 9, ... and 901 (200 in all)".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace leadscore {

inline std::string NumberList(const std::vector<size_t>& numbers) {
  constexpr size_t kShownInFull = 10, kShownOfMore = 8;
  std::string list;
  if (numbers.size() > kShownInFull) {
    for (size_t k = 0; k < kShownOfMore; ++k) list += std::to_string(numbers[k]) + ", ";
    return list + "... and " + std::to_string(numbers.back()) + " (" +
           std::to_string(numbers.size()) + " in all)";
  }
  for (size_t k = 0; k < numbers.size(); ++k) {
    list += k == 0 ? "" : k + 1 == numbers.size() ? " and " : ", ";
    list += std::to_string(numbers[k]);
  }
  return list;
}

}  // namespace leadscore
