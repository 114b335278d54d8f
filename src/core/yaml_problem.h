// What a yaml-cpp exception tells a user.
#pragma once

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/exceptions.h>

#include <string>

namespace leadscore {

// yaml-cpp's message, but for its nesting limit, which yaml-cpp reports as "bad file": a file
// with a few hundred levels of `[` or `{` is readable, and says nothing of its real problem.
inline std::string YamlProblem(const YAML::Exception& e) {
  if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr) {
    return "nested too deeply (more than a few hundred levels of [ ] or { })";
  }
  return e.msg;
}

}  // namespace leadscore
