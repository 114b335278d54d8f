// HashBytes: the 64-bit hash of lead ids and of event-id fingerprints, inline.
//
// XXH3 (libxxhash), compiled into each caller: for the short ids of a batch run (8 to 16
// bytes) it is a few multiplies on two loads. std::hash (murmur) and a splitmix64 finalizer on
// top cost 4% of a W1 1M profile, two hashes an event. Its output is mixed in every bit, so
// tables may mask low bits or take high ones. Nothing stores these hashes: the service builds
// its tables from the store on start, so the function may change between versions.
#pragma once

#include <cstdint>
#include <string_view>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

namespace leadscore {

inline uint64_t HashBytes(std::string_view bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

}  // namespace leadscore
