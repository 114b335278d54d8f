// Lines ended by a lone carriage return (classic Mac OS, some exports) are not lines to the
// readers, which end a line at \n: every such line of a file reads as one. The readers say so
// where it shows, in these words.
#pragma once

#include <cstring>

namespace leadscore::ingest {

inline constexpr const char* kLoneCarriageReturn =
    "lines that end with a lone \\r are not read as lines (convert them: tr '\\r' '\\n')";

// Whether [begin, end) holds a \r that is not followed by \n.
inline bool HoldsLoneCarriageReturn(const char* begin, const char* end) {
  for (const char* p = begin; p < end; ++p) {
    p = static_cast<const char*>(std::memchr(p, '\r', static_cast<size_t>(end - p)));
    if (p == nullptr) return false;
    if (p + 1 == end || p[1] != '\n') return true;
  }
  return false;
}

}  // namespace leadscore::ingest
