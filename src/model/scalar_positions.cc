// ScalarPositions matches the scalar's value to the file's characters one unit at a time,
// skipping whitespace on both sides: YAML's folding turns line breaks and indentation into
// spaces or newlines, or drops them, but never changes or reorders the other characters. A unit
// is one byte of the file, or one escape of a double-quoted scalar, or a doubled quote of a
// single-quoted one. That the whole value matched is the check that `start` was the scalar's.
#include "model/scalar_positions.h"

#include <cstdint>
#include <optional>
#include <string>

#include "core/hex_digit.h"
#include "core/utf8.h"

namespace leadscore::model {
namespace {

enum class Style { kPlain, kSingleQuoted, kDoubleQuoted, kBlock };

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct Escape {
  std::string value;  // what it stands for; empty for an escaped line break
  size_t length = 0;  // in the file, the backslash included
};

// The escape of a double-quoted scalar (YAML 1.2, 5.7) that starts at `at`, a backslash.
std::optional<Escape> ReadEscape(std::string_view source, size_t at) {
  if (at + 1 >= source.size()) return std::nullopt;
  const char c = source[at + 1];
  size_t hex_digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
  if (hex_digits > 0) {
    if (at + 2 + hex_digits > source.size()) return std::nullopt;
    uint32_t code = 0;
    for (size_t i = 0; i < hex_digits; ++i) {
      const int digit = HexDigitValue(source[at + 2 + i]);
      if (digit < 0) return std::nullopt;
      code = code * 16 + static_cast<uint32_t>(digit);
    }
    if (code > 0x10FFFF) return std::nullopt;
    Escape escape{"", 2 + hex_digits};
    AppendUtf8(code, escape.value);
    return escape;
  }
  switch (c) {
    case '\n':
      return Escape{"", 2};
    case '\r':
      return Escape{"", at + 2 < source.size() && source[at + 2] == '\n' ? 3u : 2u};
    case '0':
      return Escape{std::string(1, '\0'), 2};
    case 'a':
      return Escape{"\a", 2};
    case 'b':
      return Escape{"\b", 2};
    case 't':
    case '\t':
      return Escape{"\t", 2};
    case 'n':
      return Escape{"\n", 2};
    case 'v':
      return Escape{"\v", 2};
    case 'f':
      return Escape{"\f", 2};
    case 'r':
      return Escape{"\r", 2};
    case 'e':
      return Escape{"\x1B", 2};
    case ' ':
    case '"':
    case '/':
    case '\\':
      return Escape{std::string(1, c), 2};
    // yaml-cpp writes these two as the one byte of their code point, not as UTF-8.
    case 'N':
      return Escape{"\x85", 2};
    case '_':
      return Escape{"\xA0", 2};
    case 'L':
      return Escape{"\u2028", 2};
    case 'P':
      return Escape{"\u2029", 2};
    default:
      return std::nullopt;
  }
}

// 1-based line and column (in characters, as an editor counts) of each offset asked, in order,
// counted from the start of line `line`, at byte `line_start`.
class LineCounter {
 public:
  LineCounter(std::string_view source, size_t line_start, int line)
      : source_(source), scanned_(line_start), pos_{line, 1} {}
  SourcePos At(size_t offset) {
    if (offset > scanned_) {
      pos_ = AdvancedBy(pos_, source_.substr(scanned_, offset - scanned_));
      scanned_ = offset;
    }
    return pos_;
  }

 private:
  std::string_view source_;
  size_t scanned_;
  SourcePos pos_;
};

}  // namespace

std::vector<SourcePos> ScalarPositions(std::string_view source, size_t start, int start_line,
                                       std::string_view value) {
  if (start >= source.size()) return {};
  const size_t line_start = source.rfind('\n', start == 0 ? 0 : start - 1);
  // A node's position is that of its anchor or tag when it has one (`&w x == 1`, `!!str "..."`):
  // the scalar starts after them.
  while (start < source.size() && (source[start] == '&' || source[start] == '!')) {
    while (start < source.size() && !IsSpace(source[start])) ++start;
    while (start < source.size() && (source[start] == ' ' || source[start] == '\t')) ++start;
  }
  if (start >= source.size()) return {};
  const char first = source[start];
  const Style style = first == '"'                   ? Style::kDoubleQuoted
                      : first == '\''                ? Style::kSingleQuoted
                      : first == '|' || first == '>' ? Style::kBlock
                                                     : Style::kPlain;
  size_t at = start;
  if (style == Style::kDoubleQuoted || style == Style::kSingleQuoted) ++at;
  if (style == Style::kBlock) {  // the content starts on the line after the indicator
    at = source.find('\n', start);
    if (at == std::string_view::npos) return {};
    ++at;
  }
  // Offsets in the file first (monotone), then their lines and columns in one pass.
  std::vector<size_t> offsets(value.size() + 1);
  size_t after_previous = at;
  for (size_t k = 0; k < value.size();) {
    if (IsSpace(value[k])) {
      offsets[k++] = after_previous;
      continue;
    }
    std::string unit;
    size_t length = 0;
    while (length == 0) {
      if (at >= source.size()) return {};
      const char c = source[at];
      if (IsSpace(c)) {
        ++at;
      } else if (style == Style::kDoubleQuoted && c == '\\') {
        std::optional<Escape> escape = ReadEscape(source, at);
        if (!escape) return {};
        bool blank = true;
        for (char e : escape->value) blank = blank && IsSpace(e);
        if (blank) {  // stands for whitespace, or nothing: matched as whitespace is
          at += escape->length;
        } else {
          unit = std::move(escape->value);
          length = escape->length;
        }
      } else if (style == Style::kDoubleQuoted && c == '"') {
        return {};  // the scalar ended before the value did
      } else if (style == Style::kSingleQuoted && c == '\'') {
        if (at + 1 >= source.size() || source[at + 1] != '\'') return {};
        unit = "'";
        length = 2;
      } else {
        unit = std::string(1, c);
        length = 1;
      }
    }
    if (value.substr(k, unit.size()) != unit) return {};
    // A plain scalar's node starts at its first character: anything else is not this scalar.
    if (style == Style::kPlain && k == 0 && at != start) return {};
    for (size_t i = 0; i < unit.size(); ++i) offsets[k + i] = at;
    k += unit.size();
    at += length;
    after_previous = at;
  }
  offsets[value.size()] = after_previous;
  std::vector<SourcePos> out;
  out.reserve(offsets.size());
  LineCounter lines(source, line_start == std::string_view::npos ? 0 : line_start + 1, start_line);
  for (size_t offset : offsets) out.push_back(lines.At(offset));
  return out;
}

}  // namespace leadscore::model
