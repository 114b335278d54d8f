// UTF-8 helpers: see utf8.h. ASCII takes a byte-at-a-time fast path; everything else is
// decoded, mapped and re-encoded.
#include "expr/utf8.h"

#include "core/utf8.h"

namespace leadscore::expr {
namespace {

// Ranges where upper and lower case alternate: upper at even (or odd) offsets from `first`.
struct PairRange {
  uint32_t first;
  uint32_t last;  // inclusive
};
// Upper case at `first`, `first + 2`, ...; lower case one above each.
constexpr PairRange kPairs[] = {
    {0x0100, 0x012F}, {0x0132, 0x0137}, {0x0139, 0x0148}, {0x014A, 0x0177}, {0x0179, 0x017E},
    {0x0460, 0x0481}, {0x048A, 0x04BF}, {0x04C1, 0x04CE}, {0x04D0, 0x052F},
};

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
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;        // À-Þ except ×
  if (cp == 0x0130) return 'i';                                      // İ
  if (cp == 0x0178) return 0x00FF;                                   // Ÿ
  if (cp >= 0x0391 && cp <= 0x03AB && cp != 0x03A2) return cp + 32;  // Α-Ϋ
  if (cp == 0x0386) return 0x03AC;
  if (cp >= 0x0388 && cp <= 0x038A) return cp + 37;
  if (cp == 0x038C) return 0x03CC;
  if (cp == 0x038E || cp == 0x038F) return cp + 63;
  if (cp >= 0x0410 && cp <= 0x042F) return cp + 32;  // А-Я
  if (cp >= 0x0400 && cp <= 0x040F) return cp + 80;  // Ѐ-Џ
  if (cp == 0x04C0) return 0x04CF;
  for (const PairRange& r : kPairs) {
    if (cp >= r.first && cp <= r.last) return ((cp - r.first) % 2 == 0) ? cp + 1 : cp;
  }
  return cp;
}

uint32_t UpperCodePoint(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') ? cp - 32 : cp;
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 32;                // à-þ except ÷
  if (cp == 0x00FF) return 0x0178;                                           // ÿ
  if (cp == 0x0131) return 'I';                                              // ı
  if (cp == 0x017F) return 'S';                                              // ſ
  if (cp >= 0x03B1 && cp <= 0x03CB) return cp == 0x03C2 ? 0x03A3 : cp - 32;  // α-ϋ, ς
  if (cp == 0x03AC) return 0x0386;
  if (cp >= 0x03AD && cp <= 0x03AF) return cp - 37;
  if (cp == 0x03CC) return 0x038C;
  if (cp == 0x03CD || cp == 0x03CE) return cp - 63;
  if (cp >= 0x0430 && cp <= 0x044F) return cp - 32;  // а-я
  if (cp >= 0x0450 && cp <= 0x045F) return cp - 80;  // ѐ-џ
  if (cp == 0x04CF) return 0x04C0;
  for (const PairRange& r : kPairs) {
    if (cp > r.first && cp <= r.last) return ((cp - r.first) % 2 == 1) ? cp - 1 : cp;
  }
  return cp;
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
