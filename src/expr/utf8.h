// UTF-8 helpers for the string builtins: simple case mapping and code point counts.
//
// Case mapping is Unicode's full one where that maps one code point to one (case_tables.h),
// with no locale and no context: `Σ` lowers to `σ`, never to final `ς`; `ß`, which Unicode
// upper-cases to "SS", stays; `İ` lowers to `i`. Bytes that are not valid UTF-8 pass through
// unchanged. Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace leadscore::expr {

// The simple lower / upper case of code point `cp`, or `cp` when it has none.
uint32_t LowerCodePoint(uint32_t cp);
uint32_t UpperCodePoint(uint32_t cp);

// Appends `text` with every letter mapped to lower (upper) case to `out`.
void AppendLower(std::string_view text, std::string& out);
void AppendUpper(std::string_view text, std::string& out);

// Number of code points in `text`; each byte of an invalid sequence counts as one.
size_t CountCodePoints(std::string_view text);

}  // namespace leadscore::expr
