// Byte scans for the CSV hot loops. CSV fields are usually a few bytes long; there a plain loop
// beats a call to memchr, whose per-call cost dominated quoted data (bank-additional-full.csv:
// memchr was 23% of parse time; with these, parse went from ~600 MB/s to ~1.2 GB/s).
#pragma once

#include <cstddef>
#include <cstring>

namespace leadscore::ingest {

// The first `c` in [p, end), or nullptr.
inline const char* FindByte(const char* p, const char* end, char c) {
  const char* stop = end - p > 32 ? p + 32 : end;
  for (; p < stop; ++p) {
    if (*p == c) return p;
  }
  if (p == end) return nullptr;
  return static_cast<const char*>(std::memchr(p, c, static_cast<size_t>(end - p)));
}

// The number of `c` in [p, end). The loop vectorizes for long ranges at -O2 and above.
inline size_t CountByte(const char* p, const char* end, char c) {
  size_t n = 0;
  for (; p < end; ++p) n += *p == c;
  return n;
}

}  // namespace leadscore::ingest
