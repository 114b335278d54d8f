// "Did you mean": the closest known name to a misspelt one, for unknown functions and lists.
//
// Stateless and thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace leadscore::expr {

// Levenshtein distance between `a` and `b`, comparing ASCII letters case-insensitively.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `name` when it is close enough to be a likely typo: at most 1 edit
// for names up to 4 characters, 2 up to 8, 3 beyond. Ties go to the earlier candidate.
std::optional<std::string> Suggest(std::string_view name, std::span<const std::string> candidates);

}  // namespace leadscore::expr
