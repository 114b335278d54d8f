// JsonlParser: see jsonl_parser.h for the rules.
//
// Per line, first a fast path (FastLine) for the plain lines that make up event files: objects,
// arrays, strings (escaped values decoded, ReadEscaped), numbers, true, false, null. It either
// takes the whole line or declines it before emitting anything, and a declined line (an escaped
// key, a lone surrogate, a number out of range, an error) goes to simdjson as before. Speed (g++ 12
// -O3, one core, 500 MB of ~120-byte event lines, 5 wanted keys, shared 2-core machine): 580-815
// MB/s with simdjson for every line, 1640-1860 MB/s with the fast path, where Find was then the
// biggest item: top-level keys are now first compared with the key the previous line had at the
// same position, which took key matching from 8.2% to 3.3% of a W1 run's profile; comparing the
// line's bytes with that key and its closing quote before any scan (Predicted) then took 10% off
// the instructions of a W1 10k run (callgrind, one thread: 954M -> 856M).
//
// simdjson, per line: iterate (stage 1 over the line only), then one pass over the root
// object's fields. Keys are matched without unescaping when they hold no backslash (the usual
// case) against an open-addressing table of wanted paths. Every value is visited, wanted or
// not, so On Demand's laziness never lets an invalid line through. stage 1 was ~13% of the
// simdjson path; key matching was ~15% with memchr + FNV-1a, hence the byte loop and the cheap
// hash below (word-wise compares did not help).
#include "ingest/jsonl_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "ingest/line_ends.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/hex_digit.h"
#include "core/utf8.h"

namespace leadscore::ingest {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// Cheap on purpose: length and three bytes tell event keys apart well enough for a table that
// is at least 4x larger than the key count; a full-key hash cost ~8% of parse time.
inline uint64_t HashKey(std::string_view key) {
  const size_t n = key.size();
  if (n == 0) return 0;
  uint64_t h = n * 0x9E3779B97F4A7C15ull;
  h ^= static_cast<unsigned char>(key[0]) | static_cast<uint64_t>(key[n / 2]) << 8 |
       static_cast<uint64_t>(static_cast<unsigned char>(key[n - 1])) << 16;
  h *= 0xFF51AFD7ED558CCDull;
  return h ^ (h >> 29);
}

inline bool SameBytes(const char* a, const char* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsBlank(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
  }
  return true;
}

// Whitespace inside a line: never '\n', so the fast path stops at the line's end. Called
// four times a key in a plain line, where there is mostly no space to skip: one compare
// settles every byte above ' ' (three compares a call were 6% of a W1 10k run's instructions).
inline void SkipSpace(const char*& p) {
  while (static_cast<unsigned char>(*p) <= ' ' && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
}

constexpr size_t kSkipKeys = std::numeric_limits<size_t>::max();  // FastObject: validate only
// The placeholder of a wanted value out of a double's range until ReportOutOfRange makes it
// null: no JSON number reads as infinity, so no other value is this one.
constexpr double kOutOfRange = std::numeric_limits<double>::infinity();
constexpr int kFastMaxDepth = 16;  // deeper lines take simdjson (and its depth check)

// Moves `p` from just after an opening quote to the closing quote. False for an escape, a
// control character (the line's '\n' among them) or invalid UTF-8: simdjson's business.
// Reads up to 15 bytes past the stop, inside the Block's padding.
inline bool ScanString(const char*& p) {
  const char* const start = p;
  bool ascii = true;
  for (;;) {
#if defined(__SSE2__)
    // 16 bytes at a time: '"', '\\', and (one signed compare) bytes < 0x20 or >= 0x80.
    // A byte loop here gave 1300-1400 MB/s against 1640-1800.
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i stop = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    const int mask = _mm_movemask_epi8(stop);
    if (mask == 0) {
      p += 16;
      continue;
    }
    p += __builtin_ctz(static_cast<unsigned>(mask));
#else
    while (*p != '"' && *p != '\\' && static_cast<unsigned char>(*p) - 0x20u < 0x60u) ++p;
#endif
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') break;
    if (c < 0x80) return false;
    ascii = false;
    ++p;
  }
  return ascii || simdjson::validate_utf8(start, static_cast<size_t>(p - start));
}

// The end of a line's first JSON value by its braces and brackets, strings skipped; nullptr when
// it does not close before `end`. Only for messages: the line is known to be invalid.
const char* EndOfFirstValue(const char* p, const char* end) {
  int depth = 0;
  for (bool in_string = false; p < end; ++p) {
    if (in_string) {
      if (*p == '\\') {
        ++p;
      } else if (*p == '"') {
        in_string = false;
      }
    } else if (*p == '"') {
      in_string = true;
    } else if (*p == '{' || *p == '[') {
      ++depth;
    } else if ((*p == '}' || *p == ']') && --depth == 0) {
      return p + 1;
    }
  }
  return nullptr;
}

// Why simdjson refused a line, in a report's words (its own messages end in a period, and
// "ended early" also stands for text after the object).
// A line led by a byte-order mark: a file's own is skipped where the file starts
// (BlockSource), so this one comes from files joined with cat, or a writer that puts one on
// every line.
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr const char* kLineByteOrderMark =
    "invalid JSON: the line starts with a byte-order mark (U+FEFF), which only the start of a "
    "file may have";

// Text after a line's object; most often, in a file, the next lines joined to it by lone CR
// line ends.
std::string TextAfterTheObject(const char* value_end, const char* end) {
  std::string reason = "invalid JSON: unexpected text after the object";
  if (end > value_end && end[-1] == '\r') --end;  // a CRLF line's end is not a lone CR
  if (HoldsLoneCarriageReturn(value_end, end)) reason += std::string("; ") + kLoneCarriageReturn;
  return reason;
}

// The code unit of a `\uXXXX` escape at `p` (the backslash), or -1.
int EscapedCodeUnit(const char* p, const char* end) {
  if (end - p < 6 || p[0] != '\\' || p[1] != 'u') return -1;
  int unit = 0;
  for (int k = 2; k < 6; ++k) {
    const char c = p[k];
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

// Whether the line escapes half of a surrogate pair alone (`\ud800`): JSON's grammar lets it
// be written, but it is no character, and UTF-8 cannot hold it.
bool HoldsLoneSurrogate(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (*p != '\\') continue;
    const int unit = EscapedCodeUnit(p, end);
    if (unit >= 0xDC00 && unit <= 0xDFFF) return true;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const int low = EscapedCodeUnit(p + 6, end);
      if (low < 0xDC00 || low > 0xDFFF) return true;
      p += 6;
    }
    ++p;  // the escaped character
  }
  return false;
}

std::string InvalidJson(error_code error, const char* line, size_t length) {
  const char* end = line + length;
  const char* value_end = EndOfFirstValue(line, end);
  if (value_end != nullptr && !IsBlank(value_end, static_cast<size_t>(end - value_end))) {
    return TextAfterTheObject(value_end, end);
  }
  if (error == simdjson::UNCLOSED_STRING) return "invalid JSON: a string is not closed";
  if (value_end == nullptr && *line == '{') {
    return "invalid JSON: an object or an array is not closed";
  }
  switch (error) {
    case simdjson::TAPE_ERROR:
      return "invalid JSON: a comma, a colon, a brace or a key is missing or out of place";
    case simdjson::UTF8_ERROR:
      return "invalid JSON: not valid UTF-8";
    case simdjson::UNESCAPED_CHARS:
      return "invalid JSON: a control character inside a string (a tab is written \\t)";
    case simdjson::STRING_ERROR:
      if (HoldsLoneSurrogate(line, end)) {
        return "invalid JSON: a \\u escape of half of a surrogate pair, without the other half "
               "(no character; UTF-8 cannot hold it)";
      }
      return "invalid JSON: a bad escape in a string (a backslash is written \\\\)";
    case simdjson::DEPTH_ERROR:
      return "invalid JSON: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    case simdjson::NUMBER_ERROR:  // out of range is not an error (ReadRefusedNumber)
      return "invalid JSON: a number that does not parse";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
    case simdjson::INCORRECT_TYPE:  // a misspelt null in a wanted value
      return "invalid JSON: a word that is not true, false or null (strings need quotes)";
    default: {
      std::string message = simdjson::error_message(error);
      while (!message.empty() && message.back() == '.') message.pop_back();
      return "invalid JSON: " + message;
    }
  }
}

// A number token's text, without the whitespace simdjson leaves after it.
std::string_view NumberLiteral(od::value& value) {
  std::string_view literal = value.raw_json_token();
  while (!literal.empty() && IsJsonSpace(literal.back())) literal.remove_suffix(1);
  return literal;
}

// For a number simdjson refused (NUMBER_ERROR, the only path that calls this): false when
// `literal` breaks JSON's grammar (`1e`, `01`, `1.`, `1e5x`). True when it is a JSON number
// all the same: simdjson refuses those a double cannot hold, as RFC 8259 lets a reader do, but
// the line stays valid JSON. Then `overflows` when its magnitude is past the largest double
// (1e999, -1e400); otherwise `value` is the number: +-0 for one below the smallest double
// (simdjson reads 1e-400 as 0 but refuses 1e-99999999999999999999), or what from_chars reads.
bool ReadRefusedNumber(std::string_view literal, double& value, bool& overflows) {
  const char* p = literal.data();
  const char* const end = p + literal.size();
  auto digit = [&] { return p < end && *p >= '0' && *p <= '9'; };
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  if (!digit()) return false;
  // The value is below 10^(order + exponent) and at least a tenth of that, unless it is 0.
  int64_t order = 0;
  bool nonzero = false;
  if (*p == '0') {
    ++p;
  } else {
    nonzero = true;
    for (; digit(); ++p) ++order;
  }
  if (p < end && *p == '.') {
    ++p;
    if (!digit()) return false;
    for (; digit(); ++p) {
      if (nonzero) continue;
      if (*p != '0') {
        nonzero = true;
      } else {
        --order;
      }
    }
  }
  int64_t exponent = 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    const bool exponent_negative = p < end && *p == '-';
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (!digit()) return false;
    constexpr int64_t kFarEnough = int64_t{1} << 40;  // no literal has that many digits
    for (; digit(); ++p) {
      if (exponent < kFarEnough) exponent = exponent * 10 + (*p - '0');
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (p != end) return false;
  overflows = false;
  auto [rest, error] = std::from_chars(literal.data(), end, value);
  if (error == std::errc() && rest == end) return true;
  if (error != std::errc::result_out_of_range) return false;
  overflows = nonzero && order + exponent > 0;
  value = negative ? -0.0 : 0.0;
  return true;
}

}  // namespace

JsonlParser::JsonlParser(std::string file, std::vector<std::string> wanted_keys)
    : file_(std::move(file)), slot_count_(wanted_keys.size()), values_(wanted_keys.size()) {
  std::unordered_map<std::string, size_t> index;  // a search of entries_ per key: quadratic
  for (size_t slot = 0; slot < wanted_keys.size(); ++slot) {
    const std::string& key = wanted_keys[slot];
    // Every proper prefix ending before a '.' must be descended into, and knows the slot.
    for (size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', dot + 1)) {
      AddKey(std::string_view(key).substr(0, dot), -1, true, index)
          .below.push_back(static_cast<int>(slot));
    }
    AddKey(key, static_cast<int>(slot), false, index);
  }
  if (std::any_of(entries_.begin(), entries_.end(), [](const KeyEntry& e) { return e.descend; })) {
    owner_.assign(slot_count_, 0);
    key_reads_.assign(entries_.size(), {});
  }
  size_t size = 16;
  while (size < entries_.size() * 4) size *= 2;
  table_.assign(size, -1);
  table_mask_ = size - 1;
  for (size_t i = 0; i < entries_.size(); ++i) {
    size_t h = HashKey(entries_[i].path) & table_mask_;
    while (table_[h] >= 0) h = (h + 1) & table_mask_;
    table_[h] = static_cast<int>(i);
  }
}

JsonlParser::KeyEntry& JsonlParser::AddKey(std::string_view path, int slot, bool descend,
                                           std::unordered_map<std::string, size_t>& index) {
  auto [at, fresh] = index.try_emplace(std::string(path), entries_.size());
  if (!fresh) {
    KeyEntry& entry = entries_[at->second];
    entry.descend = entry.descend || descend;
    if (slot >= 0) {
      if (entry.slot < 0) {
        entry.slot = slot;
      } else {
        duplicate_slots_.emplace_back(entry.slot, slot);
      }
    }
    return entry;
  }
  return entries_.emplace_back(KeyEntry{std::string(path), slot, descend, {}});
}

const JsonlParser::KeyEntry* JsonlParser::Find(std::string_view path) const {
  size_t h = HashKey(path) & table_mask_;
  for (;;) {
    int index = table_[h];
    if (index < 0) return nullptr;
    const KeyEntry& entry = entries_[index];
    if (entry.path.size() == path.size() &&
        SameBytes(entry.path.data(), path.data(), path.size())) {
      return &entry;
    }
    h = (h + 1) & table_mask_;
  }
}

const JsonlParser::PredictedKey* JsonlParser::Predicted(const char* p, size_t position) const {
  if (position >= kMaxPredicted) return nullptr;
  const PredictedKey& predicted = predicted_[position];
  if (predicted.mask == 0) return nullptr;
#if defined(__SSE2__)
  const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i want = _mm_loadu_si128(reinterpret_cast<const __m128i*>(predicted.bytes));
  const auto equal = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(here, want)));
  return (equal & predicted.mask) == predicted.mask ? &predicted : nullptr;
#else
  return std::memcmp(p, predicted.bytes, predicted.length + 1) == 0 ? &predicted : nullptr;
#endif
}

const JsonlParser::KeyEntry* JsonlParser::FindTopLevel(std::string_view key, size_t position) {
  const KeyEntry* entry = Find(key);
  if (position < kMaxPredicted && key.size() <= kMaxPredictedKey) {
    // The key passed ScanString: no quote, escape or control byte, valid UTF-8. The same bytes
    // followed by a quote are that key again, which is what lets Predicted skip the scan.
    PredictedKey& predicted = predicted_[position];
    predicted = PredictedKey{};
    std::memcpy(predicted.bytes, key.data(), key.size());
    predicted.bytes[key.size()] = '"';
    predicted.mask = (uint32_t{1} << (key.size() + 1)) - 1;
    predicted.length = static_cast<uint32_t>(key.size());
    predicted.entry = entry;
  }
  return entry;
}

// The fast path takes a line made only of objects, arrays, strings without control characters
// (keys without escapes), numbers a double holds, true, false and null, with nothing after the
// object; anything else (an escaped key, an escape ReadEscaped leaves alone, a number out of
// range, nesting deeper than kFastMaxDepth, any error) sends the line to simdjson. The Values it
// gives are those simdjson would give: a string without escapes views the Block, one with escapes
// unescaped_. Nothing is emitted before the whole line has passed, and the line's '\n' stops every
// loop.
const char* JsonlParser::FastLine(const char* p, uint64_t line_number, RowSink& sink) {
  SkipSpace(p);
  if (*p == '\n') return p + 1;  // a blank line
  if (*p != '{') return nullptr;
  ResetValues();
  line_start_ = p;
  unescaped_sized_ = false;
  if (!FastObject(p, 0, 1)) return nullptr;
  SkipSpace(p);
  if (*p != '\n') return nullptr;
  for (auto [from, to] : duplicate_slots_) values_[to] = values_[from];
  sink.OnRow(line_number, values_);
  return p + 1;
}

// `p` is at a string's opening quote; leaves it after the closing one, with `text` the string:
// its bytes in the Block, or decoded into unescaped_ (ReadEscaped). Inlined: most values are
// strings.
[[gnu::always_inline]] inline bool JsonlParser::FastString(const char*& p, std::string_view& text) {
  const char* const start = ++p;
  if (ScanString(p)) {
    text = std::string_view(start, static_cast<size_t>(p - start));
  } else if (*p != '\\' || !ReadEscaped(start, p, text)) {
    return false;
  }
  ++p;
  return true;
}

// `p` is at '{'; leaves it after the matching '}'. Keys are matched as in WalkObject, or not at
// all with kSkipKeys (an object that leads to no wanted key, as in Skip).
bool JsonlParser::FastObject(const char*& p, size_t prefix_length, int depth) {
  if (depth > kFastMaxDepth) return false;
  ++p;
  SkipSpace(p);
  if (*p == '}') {
    ++p;
    return true;
  }
  const uint32_t self = OpenObject(prefix_length);
  for (size_t position = 0;; ++position) {
    if (*p != '"') return false;
    const char* const key_start = ++p;
    const KeyEntry* entry = nullptr;
    std::string_view path;
    const PredictedKey* predicted = prefix_length == 0 ? Predicted(p, position) : nullptr;
    if (predicted != nullptr) {
      p += predicted->length;
      path = std::string_view(key_start, predicted->length);
      entry = predicted->entry;
    } else {
      if (!ScanString(p)) return false;
      path = std::string_view(key_start, static_cast<size_t>(p - key_start));
      if (prefix_length == 0) {
        entry = FindTopLevel(path, position);
      } else if (prefix_length != kSkipKeys) {
        path_.resize(prefix_length);
        path_.append(path);
        entry = Find(path_);
        path = path_;
      }
    }
    ++p;
    SkipSpace(p);
    if (*p != ':') return false;
    ++p;
    SkipSpace(p);
    const bool descend = entry != nullptr && entry->descend;
    const uint32_t first = descend ? KeyMet(*entry, self) : 0;
    if (*p == '"') {
      // Strings are read here rather than in FastValue: most values are, and the call cost as
      // much as the read.
      std::string_view text;
      if (!FastString(p, text)) return false;
      Keep(entry, Value::String(text), self);
    } else if (!FastValue(p, entry, path, depth + 1, self)) {
      return false;
    }
    if (descend) KeyRead(*entry, self, first);
    SkipSpace(p);
    if (*p == '}') {
      ++p;
      return true;
    }
    if (*p != ',') return false;
    ++p;
    SkipSpace(p);
  }
}

namespace {

// The value of the 4 hex digits at `p` (a \u escape's); false if they are not 4 hex digits. The
// line's '\n' stops a short one.
bool ReadHex4(const char* p, uint32_t& code) {
  code = 0;
  for (int i = 0; i < 4; ++i) {
    const int digit = HexDigitValue(p[i]);
    if (digit < 0) return false;
    code = code << 4 | static_cast<uint32_t>(digit);
  }
  return true;
}

}  // namespace

// JSON writers escape more than they must: PHP writes every '/' of a URL as "\/", Python's
// json.dumps every character past ASCII as "\uXXXX". Such lines took simdjson's path until
// 2026-12-06, at twice the CPU of a plain line (a W1 100k run with "\u00e9" in every URL: user
// 1.10-1.12 s, against 0.58-0.62 s since). The escapes are decoded here, into unescaped_, which the
// line's first escaped string sizes for the whole line: a decoded string is never longer than
// its JSON text, so it never moves while the line's Values view it. Declined, for simdjson to
// judge: a bad escape, \u0000, and a surrogate that is not the first of a pair (Python writes
// a character past the BMP, an emoji, as a pair: decoded here).
bool JsonlParser::ReadEscaped(const char* start, const char*& p, std::string_view& text) {
  if (!unescaped_sized_) {
    const char* line_end = p;
    while (*line_end != '\n') ++line_end;  // the fast path reads only lines that end in one
    unescaped_.clear();
    unescaped_.reserve(static_cast<size_t>(line_end - line_start_));
    unescaped_sized_ = true;
  }
  const size_t begin = unescaped_.size();
  const size_t room = unescaped_.capacity();
  auto append = [&](const char* from, size_t n) {
    if (unescaped_.size() + n > room) return false;  // cannot happen (see above); declined
    unescaped_.append(from, n);
    return true;
  };
  const char* segment = start;
  for (;;) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') break;
    if (c < 0x20) return false;  // a control byte, the line's '\n' among them
    if (c != '\\') {
      ++p;
      continue;
    }
    if (!append(segment, static_cast<size_t>(p - segment))) return false;
    if (p[1] == 'u') {
      uint32_t code = 0;
      if (!ReadHex4(p + 2, code) || code == 0 || (code >= 0xDC00 && code <= 0xDFFF)) return false;
      size_t escape_bytes = 6;
      if (code >= 0xD800 && code <= 0xDBFF) {
        // A character past the BMP, as Python writes an emoji: a high then a low surrogate.
        uint32_t low = 0;
        if (p[6] != '\\' || p[7] != 'u' || !ReadHex4(p + 8, low) || low < 0xDC00 || low > 0xDFFF) {
          return false;
        }
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        escape_bytes = 12;
      }
      if (unescaped_.size() + 4 > room) return false;  // as in append
      AppendUtf8(code, unescaped_);
      p += escape_bytes;
    } else {
      char decoded;
      switch (p[1]) {
        case '"':
        case '\\':
        case '/':
          decoded = p[1];
          break;
        case 'b':
          decoded = '\b';
          break;
        case 'f':
          decoded = '\f';
          break;
        case 'n':
          decoded = '\n';
          break;
        case 'r':
          decoded = '\r';
          break;
        case 't':
          decoded = '\t';
          break;
        default:
          return false;
      }
      if (!append(&decoded, 1)) return false;
      p += 2;
    }
    segment = p;
  }
  if (!append(segment, static_cast<size_t>(p - segment))) return false;
  text = std::string_view(unescaped_.data() + begin, unescaped_.size() - begin);
  // What the escapes gave is whole characters, so the decoded string is valid UTF-8 exactly when
  // the bytes between the escapes are (a character cut by an escape is not). Those before the
  // first escape were scanned by ScanString, which left them unchecked.
  return simdjson::validate_utf8(text.data(), text.size());
}

// `p` is at a value other than a string (FastObject reads those); leaves it just after. Stores
// the value as ReadWanted does.
bool JsonlParser::FastValue(const char*& p, const KeyEntry* entry, std::string_view path, int depth,
                            uint32_t owner) {
  const char* const start = p;
  Value result;
  switch (*p) {
    case '{': {
      size_t prefix_length = kSkipKeys;
      if (entry != nullptr && entry->descend) {
        if (path.data() != path_.data()) path_.assign(path);  // a top-level key
        path_.push_back('.');
        prefix_length = path_.size();
      }
      if (!FastObject(p, prefix_length, depth)) return false;
      result = Value::JsonText(std::string_view(start, static_cast<size_t>(p - start)));
      break;
    }
    case '[':
      if (!FastArray(p, depth)) return false;
      result = Value::JsonText(std::string_view(start, static_cast<size_t>(p - start)));
      break;
    // A literal followed by anything but whitespace, ',' or '}' fails in the caller.
    case 't':
      if (std::memcmp(p, "true", 4) != 0) return false;
      p += 4;
      result = Value::Bool(true);
      break;
    case 'f':
      if (std::memcmp(p, "false", 5) != 0) return false;
      p += 5;
      result = Value::Bool(false);
      break;
    case 'n':
      if (std::memcmp(p, "null", 4) != 0) return false;
      p += 4;
      break;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      if (!FastNumber(p, entry, result)) return false;
      break;
    default:
      return false;
  }
  Keep(entry, result, owner);
  return true;
}

// `p` is at '['; leaves it after the matching ']'. An array is read whole, as its JSON text
// (FastValue): its elements are only checked, and an object in it leads to no wanted key, as in
// Skip. Arrays were simdjson's alone until 2026-12-06: a file with a list in every event (tags,
// products) took twice the CPU of one without.
bool JsonlParser::FastArray(const char*& p, int depth) {
  if (depth > kFastMaxDepth) return false;
  ++p;
  SkipSpace(p);
  if (*p == ']') {
    ++p;
    return true;
  }
  for (;;) {
    if (*p == '"') {
      std::string_view text;  // decoded only to check it
      if (!FastString(p, text)) return false;
    } else if (!FastValue(p, nullptr, {}, depth + 1, false)) {
      return false;
    }
    SkipSpace(p);
    if (*p == ']') {
      ++p;
      return true;
    }
    if (*p != ',') return false;
    ++p;
    SkipSpace(p);
  }
}

// `p` is at a number's first byte ('-' or a digit); leaves it just after the number. Numbers
// were simdjson's alone until a W1 run with Unix-seconds times took twice the CPU of one with
// ISO text: a line holding any number left the fast path.
bool JsonlParser::FastNumber(const char*& p, const KeyEntry* entry, Value& result) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const char* q = p;
  if (*q == '-') ++q;
  if (*q == '0') {
    ++q;
  } else if (digit(*q)) {
    while (digit(*q)) ++q;
  } else {
    return false;
  }
  bool integer = true;
  if (*q == '.') {
    ++q;
    if (!digit(*q)) return false;
    while (digit(*q)) ++q;
    integer = false;
  }
  if (*q == 'e' || *q == 'E') {
    ++q;
    if (*q == '+' || *q == '-') ++q;
    if (!digit(*q)) return false;
    while (digit(*q)) ++q;
    integer = false;
  }
  const std::string_view literal(p, static_cast<size_t>(q - p));
  p = q;
  if (entry == nullptr || entry->slot < 0) return true;  // JSON, and not read
  // std::from_chars and simdjson both round correctly, so they give the same double. Out of a
  // double's range, either way, the line goes to simdjson, which reads it as ReadWanted says.
  double number;
  const auto [end, error] = std::from_chars(literal.data(), q, number);
  if (error != std::errc() || end != q) return false;
  result = Value::Number(number);
  // As in ReadWanted: a whole number from 2^53 on keeps its literal.
  if (integer && std::fabs(number) >= 9007199254740992.0) result = Value::NumberText(literal);
  return true;
}

void JsonlParser::Parse(const Block& block, RowSink& sink) {
  const char* data = block.text().data();
  size_t size = block.text().size();
  size_t capacity = block.readable();
  if (capacity - size < simdjson::SIMDJSON_PADDING) {  // e.g. a copied Block
    padded_.reserve(size + simdjson::SIMDJSON_PADDING);
    padded_.assign(data, size);
    data = padded_.data();
    capacity = padded_.capacity();
  }
  const char* p = data;
  const char* const end = data + size;
  // A line starting before fast_end ends in '\n'; a last line without one takes simdjson.
  const size_t last_newline = std::string_view(data, size).rfind('\n');
  const char* const fast_end =
      data + (last_newline == std::string_view::npos ? 0 : last_newline + 1);
  uint64_t line = block.first_line;
  while (p < end) {
    if (p < fast_end && fast_path_) {
      if (const char* next = FastLine(p, line, sink)) {
        p = next;
        ++line;
        continue;
      }
    }
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    const char* line_end = nl != nullptr ? nl : end;
    size_t length = static_cast<size_t>(line_end - p);
    if (length > 0 && (*p == '{' || !IsBlank(p, length))) {
      ParseLine(p, length, capacity - static_cast<size_t>(p - data), line, sink);
    }
    p = nl != nullptr ? nl + 1 : end;
    ++line;
  }
  if (block.read_error) sink.OnError(*block.read_error);
}

void JsonlParser::ParseLine(const char* line, size_t length, size_t capacity, uint64_t line_number,
                            RowSink& sink) {
  ResetValues();
  out_of_range_.clear();
  auto fail = [&](std::string message) {
    sink.OnError(RowError{file_, line_number, "", std::move(message)});
  };
  od::document document;
  error_code error =
      parser_.iterate(simdjson::padded_string_view(line, length, capacity)).get(document);
  if (error != SUCCESS) return fail(InvalidJson(error, line, length));
  od::object object;
  error = document.get_object().get(object);
  if (error == simdjson::INCORRECT_TYPE) {
    const bool mark = std::string_view(line, length).starts_with(kByteOrderMark);
    return fail(mark ? kLineByteOrderMark : "not a JSON object");
  }
  document_ = &document;
  path_.clear();
  if (error == SUCCESS) error = WalkObject(object, 0, 1);
  document_ = nullptr;
  if (error != SUCCESS) return fail(InvalidJson(error, line, length));
  const char* rest;
  if (document.current_location().get(rest) == SUCCESS) {
    return fail(TextAfterTheObject(rest, line + length));
  }
  if (!out_of_range_.empty()) ReportOutOfRange(line_number, sink);
  for (auto [from, to] : duplicate_slots_) values_[to] = values_[from];
  sink.OnRow(line_number, values_);
}

void JsonlParser::ReportOutOfRange(uint64_t line_number, RowSink& sink) {
  for (size_t i = 0; i < out_of_range_.size(); ++i) {
    const auto [entry, literal] = out_of_range_[i];
    // Only a key's last value counts: a later number out of range for the same slot reports
    // itself, and a later value of any other kind (a key given twice, an object given again:
    // KeyMet) has replaced the placeholder.
    bool replaced = false;
    for (size_t j = i + 1; j < out_of_range_.size(); ++j) {
      replaced = replaced || out_of_range_[j].entry->slot == entry->slot;
    }
    Value& value = values_[entry->slot];
    if (replaced || !value.is_number() || value.number() != kOutOfRange) continue;
    value = Value();
    constexpr size_t kShown = 40;  // digits of a literal that can be thousands long
    sink.OnWarning(
        RowError{file_, line_number, entry->path,
                 fmt::format("the number {}{} is out of range; using null",
                             literal.substr(0, kShown), literal.size() > kShown ? "..." : "")});
  }
}

error_code JsonlParser::WalkObject(od::object object, size_t prefix_length, int depth) {
  if (depth > kMaxJsonDepth) return simdjson::DEPTH_ERROR;
  const uint32_t self = OpenObject(prefix_length);
  for (auto field_result : object) {
    od::field field;
    SIMDJSON_TRY(std::move(field_result).get(field));
    std::string_view key;
    // The raw key is the key unless it holds an escape. Stage 1 has checked that the string is
    // closed, so the scan stops inside the line; keys are short, so a loop beats memchr.
    const char* raw = field.key().raw();
    const char* quote = raw;
    while (*quote != '"' && *quote != '\\') ++quote;
    if (*quote == '"') {
      key = std::string_view(raw, quote - raw);
    } else {
      SIMDJSON_TRY(field.unescaped_key().get(key));
    }
    std::string_view path = key;
    if (prefix_length > 0) {
      path_.resize(prefix_length);
      path_.append(key);
      path = path_;
    }
    const KeyEntry* entry = Find(path);
    if (entry == nullptr) {
      SIMDJSON_TRY(Skip(field.value(), depth + 1));
    } else {
      const uint32_t first = entry->descend ? KeyMet(*entry, self) : 0;
      SIMDJSON_TRY(ReadWanted(field.value(), *entry, path, depth + 1, self));
      if (entry->descend) KeyRead(*entry, self, first);
    }
  }
  return SUCCESS;
}

error_code JsonlParser::ReadWanted(od::value value, const KeyEntry& entry, std::string_view path,
                                   int depth, uint32_t owner) {
  od::json_type type;
  SIMDJSON_TRY(value.type().get(type));
  const bool take = entry.slot >= 0;  // a key given twice keeps its last value
  Value result;
  switch (type) {
    case od::json_type::object:
    case od::json_type::array: {
      const char* start = value.raw_json_token().data();
      if (type == od::json_type::object && entry.descend) {
        od::object object;
        SIMDJSON_TRY(value.get_object().get(object));
        if (path.data() != path_.data()) path_.assign(path);  // a top-level key
        path_.push_back('.');
        SIMDJSON_TRY(WalkObject(object, path_.size(), depth));
      } else {
        SIMDJSON_TRY(Skip(value, depth));
      }
      if (!take) return SUCCESS;
      std::string_view text;
      SIMDJSON_TRY(TextUpToHere(start, text));
      result = Value::JsonText(text);
      break;
    }
    case od::json_type::string: {
      std::string_view text;
      SIMDJSON_TRY(value.get_string().get(text));
      result = Value::String(text);
      break;
    }
    case od::json_type::number: {
      double number;
      if (error_code error = value.get_double().get(number); error != SUCCESS) {
        const std::string_view literal = NumberLiteral(value);
        bool overflows;
        if (error != simdjson::NUMBER_ERROR || !ReadRefusedNumber(literal, number, overflows)) {
          return error;
        }
        if (overflows) {
          // Null, reported by ReportOutOfRange unless a later value of the key replaces it.
          if (take) {
            out_of_range_.push_back({&entry, literal});
            Keep(&entry, Value::Number(kOutOfRange), owner);
          }
          return SUCCESS;
        }
      }
      result = Value::Number(number);
      // From 2^53 on, a double does not hold every integer: a whole number written out is
      // kept as written (Value::NumberText), so that two such ids stay two.
      if (std::fabs(number) >= 9007199254740992.0) {
        std::string_view literal = value.raw_json_token();
        while (!literal.empty() && IsJsonSpace(literal.back())) literal.remove_suffix(1);
        const size_t digits_from = literal.starts_with('-') ? 1 : 0;
        if (literal.find_first_not_of("0123456789", digits_from) == std::string_view::npos) {
          result = Value::NumberText(literal);
        }
      }
      break;
    }
    case od::json_type::boolean: {
      bool flag;
      SIMDJSON_TRY(value.get_bool().get(flag));
      result = Value::Bool(flag);
      break;
    }
    case od::json_type::null: {
      bool is_null;
      SIMDJSON_TRY(value.is_null().get(is_null));
      if (!is_null) return simdjson::N_ATOM_ERROR;
      break;
    }
  }
  if (take) Keep(&entry, result, owner);
  return SUCCESS;
}

error_code JsonlParser::Skip(od::value value, int depth) {
  od::json_type type;
  SIMDJSON_TRY(value.type().get(type));
  // `depth` is the value's level: only an object or an array nests a level deeper (a number
  // inside the 128th object is as deep as the line may go, not too deep).
  if (depth > kMaxJsonDepth && (type == od::json_type::object || type == od::json_type::array)) {
    return simdjson::DEPTH_ERROR;
  }
  switch (type) {
    case od::json_type::object: {
      od::object object;
      SIMDJSON_TRY(value.get_object().get(object));
      for (auto field_result : object) {
        od::field field;
        SIMDJSON_TRY(std::move(field_result).get(field));
        std::string_view key;
        SIMDJSON_TRY(field.unescaped_key().get(key));  // validates the escapes
        SIMDJSON_TRY(Skip(field.value(), depth + 1));
      }
      return SUCCESS;
    }
    case od::json_type::array: {
      od::array array;
      SIMDJSON_TRY(value.get_array().get(array));
      for (auto element_result : array) {
        od::value element;
        SIMDJSON_TRY(std::move(element_result).get(element));
        SIMDJSON_TRY(Skip(element, depth + 1));
      }
      return SUCCESS;
    }
    case od::json_type::string: {
      std::string_view text;
      return value.get_string().get(text);
    }
    case od::json_type::number: {
      double number;
      error_code error = value.get_double().get(number);
      bool overflows;
      if (error == simdjson::NUMBER_ERROR &&
          ReadRefusedNumber(NumberLiteral(value), number, overflows)) {
        return SUCCESS;  // out of a double's range, but JSON: not read, so not reported
      }
      return error;
    }
    case od::json_type::boolean: {
      bool flag;
      return value.get_bool().get(flag);
    }
    case od::json_type::null: {
      bool is_null;
      SIMDJSON_TRY(value.is_null().get(is_null));
      return is_null ? SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return SUCCESS;
}

error_code JsonlParser::TextUpToHere(const char* start, std::string_view& text) {
  const char* here;
  SIMDJSON_TRY(document_->current_location().get(here));
  while (here > start && IsJsonSpace(here[-1])) --here;
  text = std::string_view(start, static_cast<size_t>(here - start));
  return SUCCESS;
}

std::string DescribeInvalidJson(std::string_view text) {
  // The line ends of a value that spans lines are no text after it (InvalidJson reads a line).
  while (!text.empty() && std::string_view(" \t\r\n").find(text.back()) != std::string_view::npos) {
    text.remove_suffix(1);
  }
  if (text.starts_with(kByteOrderMark)) return kLineByteOrderMark;
  simdjson::dom::parser parser;
  if (parser.allocate(text.size() + 1, kMaxJsonDepth) != SUCCESS) return "invalid JSON";
  simdjson::dom::element element;
  const error_code error = parser.parse(simdjson::padded_string(text)).get(element);
  if (error != SUCCESS) return InvalidJson(error, text.data(), text.size());
  return element.is_object() ? "invalid JSON" : "not a JSON object";
}

}  // namespace leadscore::ingest
