// PrintToStderr: fmt::print(stderr, ...) that does not throw.
//
// fmt::print throws std::system_error when a write fails, so a run whose stderr went to a full
// disk (`2>/dev/full`) aborted at its first message, before writing any output. A message that
// cannot be shown has nowhere else to go: a failed write is ignored, and the run goes on.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <utility>

namespace leadscore {

template <typename... Args>
void PrintToStderr(fmt::format_string<Args...> format, Args&&... args) {
  const std::string text = fmt::format(format, std::forward<Args>(args)...);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace leadscore
