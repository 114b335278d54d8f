// Numbers as a person lists them in a message: "2", "2 and 5", "2, 3 and 5".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace leadscore {

inline std::string NumberList(const std::vector<size_t>& numbers) {
  std::string list;
  for (size_t k = 0; k < numbers.size(); ++k) {
    list += k == 0 ? "" : k + 1 == numbers.size() ? " and " : ", ";
    list += std::to_string(numbers[k]);
  }
  return list;
}

}  // namespace leadscore
