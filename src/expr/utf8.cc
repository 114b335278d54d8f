// UTF-8 helpers: see utf8.h. ASCII takes a byte-at-a-time fast path; everything else is
// decoded, mapped and re-encoded.
#include "expr/utf8.h"

#include <algorithm>

#include "core/utf8.h"
#include "expr/case_tables.h"

namespace leadscore::expr {
namespace {

// The mapping of `cp` in a sorted table, or `cp` when it has none.
uint32_t Mapped(const CaseMapping* table, size_t size, uint32_t cp) {
  const CaseMapping* end = table + size;
  const CaseMapping* at =
      std::lower_bound(table, end, cp, [](const CaseMapping& m, uint32_t c) { return m.from < c; });
  return at != end && at->from == cp ? at->to : cp;
}

template <class F>
void Map(std::string_view text, std::string& out, F map) {
  out.reserve(out.size() + text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>(map(b)));
      ++i;
      continue;
    }
    size_t len;
    int32_t cp = DecodeUtf8(text, i, len);
    if (cp < 0) {
      out.push_back(text[i]);
    } else {
      AppendUtf8(map(static_cast<uint32_t>(cp)), out);
    }
    i += len;
  }
}

}  // namespace

uint32_t LowerCodePoint(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  // Unicode lowers İ to i and a combining dot above: one code point to one, it is i.
  if (cp == 0x0130) return 'i';
  return Mapped(kLowerMappings, kLowerMappingsSize, cp);
}

uint32_t UpperCodePoint(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') ? cp - 32 : cp;
  return Mapped(kUpperMappings, kUpperMappingsSize, cp);
}

void AppendLower(std::string_view text, std::string& out) { Map(text, out, LowerCodePoint); }

void AppendUpper(std::string_view text, std::string& out) { Map(text, out, UpperCodePoint); }

size_t CountCodePoints(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size();) {
    size_t len;
    DecodeUtf8(text, i, len);
    i += len;
    ++count;
  }
  return count;
}

}  // namespace leadscore::expr
