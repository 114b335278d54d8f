// Unicode's case mappings beyond ASCII that map one code point to one (case_tables.cc, made by
// scripts/gen-case-tables.py).
#pragma once

#include <cstddef>
#include <cstdint>

namespace leadscore::expr {

struct CaseMapping {
  uint32_t from;
  uint32_t to;
};

// Sorted by `from`.
extern const CaseMapping kLowerMappings[];
extern const size_t kLowerMappingsSize;
extern const CaseMapping kUpperMappings[];
extern const size_t kUpperMappingsSize;

}  // namespace leadscore::expr
