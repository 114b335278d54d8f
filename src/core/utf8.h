// UTF-8: encoding and decoding one code point, and finding bytes that are not UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leadscore {

// Appends the UTF-8 bytes of `code_point`, a Unicode scalar value (at most 0x10FFFF and not a
// surrogate), to `out`: one to four bytes.
inline void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Decodes one code point at text[i]; sets `len` to the bytes used. Returns -1 (len 1) for an
// invalid or truncated sequence, an overlong form or a surrogate.
inline int32_t DecodeUtf8(std::string_view text, size_t i, size_t& len) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b0 = byte(i);
  len = 1;
  int need;
  uint32_t cp;
  if (b0 < 0x80) return b0;
  if ((b0 & 0xE0) == 0xC0) {
    need = 1;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    need = 2;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    need = 3;
    cp = b0 & 0x07;
  } else {
    return -1;
  }
  if (i + static_cast<size_t>(need) >= text.size()) return -1;  // truncated
  for (int k = 1; k <= need; ++k) {
    unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  len = static_cast<size_t>(need) + 1;
  return static_cast<int32_t>(cp);
}

// The offset of the first byte of `text` that does not start a valid UTF-8 sequence, or npos
// when all of it is UTF-8.
inline size_t FirstInvalidUtf8(std::string_view text) {
  for (size_t i = 0, len = 0; i < text.size(); i += len) {
    if (DecodeUtf8(text, i, len) < 0) return i;
  }
  return std::string_view::npos;
}

}  // namespace leadscore
