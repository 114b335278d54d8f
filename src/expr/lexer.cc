// Lexer: see lexer.h. Durations are a number immediately followed by one unit letter
// (s m h d w) that does not start a longer word; their value is a count of seconds.
#include "expr/lexer.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <charconv>
#include <cmath>

namespace leadscore::expr {
namespace {

bool IsIdentStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

struct Keyword {
  std::string_view word;
  TokenKind kind;
};
constexpr Keyword kKeywords[] = {
    {"and", TokenKind::kAnd},     {"or", TokenKind::kOr},           {"not", TokenKind::kNot},
    {"in", TokenKind::kIn},       {"between", TokenKind::kBetween}, {"true", TokenKind::kTrue},
    {"false", TokenKind::kFalse}, {"null", TokenKind::kNull},
};

double UnitSeconds(char unit) {
  switch (unit) {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    case 'w':
      return 7 * 86400;
    default:
      return 0;
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  tl::expected<std::vector<Token>, CompileError> Run() {
    std::vector<Token> out;
    for (;;) {
      SkipSpace();
      Token token;
      token.offset = static_cast<uint32_t>(pos_);
      if (pos_ >= text_.size()) {
        token.kind = TokenKind::kEnd;
        out.push_back(std::move(token));
        return out;
      }
      if (auto error = Lex(token)) return tl::unexpected(std::move(*error));
      token.raw = text_.substr(token.offset, pos_ - token.offset);
      out.push_back(std::move(token));
    }
  }

 private:
  using MaybeError = std::optional<CompileError>;

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  // The end of the run of digits from `at`.
  size_t DigitsEnd(size_t at) const {
    while (at < text_.size() && IsDigit(text_[at])) ++at;
    return at;
  }

  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  CompileError Fail(size_t offset, std::string message) const {
    return ErrorAt(text_, static_cast<uint32_t>(offset), std::move(message));
  }

  MaybeError Lex(Token& t) {
    char c = text_[pos_];
    if (IsDigit(c)) return LexNumber(t);
    if (IsIdentStart(c)) return LexWord(t);
    switch (c) {
      case '"':
        return LexString(t);
      case '`':
        t.kind = TokenKind::kName;
        t.backticked = true;
        return LexBacktick(t);
      case '@':
        ++pos_;
        t.kind = TokenKind::kListRef;
        if (Peek() == '`') return LexBacktick(t);
        if (!IsIdentStart(Peek())) return Fail(t.offset, "expected a list name after '@'");
        LexDotted(t.text);
        return std::nullopt;
      case '(':
        return Single(t, TokenKind::kLParen);
      case ')':
        return Single(t, TokenKind::kRParen);
      case '[':
        return Single(t, TokenKind::kLBracket);
      case ']':
        return Single(t, TokenKind::kRBracket);
      case ',':
        return Single(t, TokenKind::kComma);
      case '+':
        return Single(t, TokenKind::kPlus);
      case '-':
        return Single(t, TokenKind::kMinus);
      case '*':
        return Single(t, TokenKind::kStar);
      case '/':
        return Single(t, TokenKind::kSlash);
      case '=':
        if (Peek(1) == '=') return Double(t, TokenKind::kEq);
        return Fail(pos_, "unexpected '='; use '==' to compare");
      case '!':
        if (Peek(1) == '=') return Double(t, TokenKind::kNe);
        return Fail(pos_, "unexpected '!'; use 'not' to negate, '!=' to compare");
      case '<':
        if (Peek(1) == '=') return Double(t, TokenKind::kLe);
        if (Peek(1) == '>') return Fail(pos_, "unexpected '<>'; use '!=' to compare");
        return Single(t, TokenKind::kLt);
      case '>':
        if (Peek(1) == '=') return Double(t, TokenKind::kGe);
        return Single(t, TokenKind::kGt);
      case '&':
        return Fail(pos_, "unexpected '&'; use 'and'");
      case '|':
        return Fail(pos_, "unexpected '|'; use 'or'");
      case '\'':
        return Fail(pos_, "strings are written in double quotes: \"text\"");
      default:
        break;
    }
    // Report the whole UTF-8 sequence, not a lone byte.
    size_t end = pos_ + 1;
    while (end < text_.size() && (static_cast<unsigned char>(text_[end]) & 0xC0) == 0x80) ++end;
    if (c == '.') {
      if (IsDigit(Peek(1))) {
        return Fail(pos_, fmt::format("a number starts with a digit: write 0{}",
                                      text_.substr(pos_, DigitsEnd(pos_ + 1) - pos_)));
      }
      return Fail(pos_, "unexpected '.'");
    }
    return Fail(pos_, fmt::format("unexpected character '{}'", text_.substr(pos_, end - pos_)));
  }

  MaybeError Single(Token& t, TokenKind kind) {
    t.kind = kind;
    ++pos_;
    return std::nullopt;
  }
  MaybeError Double(Token& t, TokenKind kind) {
    t.kind = kind;
    pos_ += 2;
    return std::nullopt;
  }

  // ident ('.' ident)*, appended to `out`.
  void LexDotted(std::string& out) {
    size_t begin = pos_;
    for (;;) {
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
      if (Peek() == '.' && IsIdentStart(Peek(1))) {
        ++pos_;
        continue;
      }
      break;
    }
    out.append(text_.substr(begin, pos_ - begin));
  }

  MaybeError LexWord(Token& t) {
    size_t begin = pos_;
    while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
    std::string_view word = text_.substr(begin, pos_ - begin);
    for (const Keyword& k : kKeywords) {
      if (word == k.word) {
        t.kind = k.kind;
        return std::nullopt;
      }
    }
    t.kind = TokenKind::kName;
    if (word == "lead" && Peek() == '.' && Peek(1) == '`') {
      ++pos_;
      t.lead_prefixed = true;
      t.backticked = true;
      return LexBacktick(t);
    }
    pos_ = begin;
    LexDotted(t.text);
    if (t.text.size() > 5 && t.text.compare(0, 5, "lead.") == 0) {
      t.text.erase(0, 5);
      t.lead_prefixed = true;
    }
    return std::nullopt;
  }

  MaybeError LexBacktick(Token& t) {
    size_t open = pos_++;
    size_t close = text_.find('`', pos_);
    if (close == std::string_view::npos)
      return Fail(open, "unterminated name: missing closing '`'");
    if (close == pos_) return Fail(open, "empty name in backticks");
    t.text.assign(text_.substr(pos_, close - pos_));
    pos_ = close + 1;
    return std::nullopt;
  }

  MaybeError LexString(Token& t) {
    t.kind = TokenKind::kString;
    size_t open = pos_++;
    for (;;) {
      if (pos_ >= text_.size()) return Fail(open, "unterminated string: missing closing '\"'");
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return std::nullopt;
      }
      if (c != '\\') {
        t.text.push_back(c);
        ++pos_;
        continue;
      }
      switch (Peek(1)) {
        case '"':
          t.text.push_back('"');
          break;
        case '\\':
          t.text.push_back('\\');
          break;
        case 'n':
          t.text.push_back('\n');
          break;
        case 't':
          t.text.push_back('\t');
          break;
        case '\0':
          if (pos_ + 1 >= text_.size()) {
            return Fail(open, "unterminated string: missing closing '\"'");
          }
          [[fallthrough]];
        default:
          return Fail(pos_, "unknown escape in string; use \\\", \\\\, \\n or \\t");
      }
      pos_ += 2;
    }
  }

  MaybeError LexNumber(Token& t) {
    size_t begin = pos_;
    while (IsDigit(Peek())) ++pos_;
    if (Peek() == '.') {
      if (!IsDigit(Peek(1))) return Fail(pos_, "expected a digit after '.' in a number");
      ++pos_;
      while (IsDigit(Peek())) ++pos_;
    }
    bool exponent = false;
    if ((Peek() == 'e' || Peek() == 'E') &&
        (IsDigit(Peek(1)) || ((Peek(1) == '+' || Peek(1) == '-') && IsDigit(Peek(2))))) {
      exponent = true;
      pos_ += 2;
      while (IsDigit(Peek())) ++pos_;
    }
    size_t end = pos_;
    double value = 0;
    auto [ptr, ec] = std::from_chars(text_.data() + begin, text_.data() + end, value);
    if (ec != std::errc() || ptr != text_.data() + end || !std::isfinite(value)) {
      return Fail(begin, fmt::format("number out of range: {}", text_.substr(begin, end - begin)));
    }
    t.kind = TokenKind::kNumber;
    t.number = value;
    if (!IsIdentChar(Peek())) return std::nullopt;
    double unit = UnitSeconds(Peek());
    if (unit != 0 && !exponent && !IsIdentChar(Peek(1))) {
      ++pos_;
      t.kind = TokenKind::kDuration;
      t.number = value * unit;
      if (!std::isfinite(t.number)) return Fail(begin, "duration out of range");
      return std::nullopt;
    }
    size_t word_end = pos_;
    while (word_end < text_.size() && IsIdentChar(text_[word_end])) ++word_end;
    return Fail(begin, fmt::format("invalid number '{}'; a duration is a number followed by one "
                                   "of s, m, h, d, w (e.g. 7d)",
                                   text_.substr(begin, word_end - begin)));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

tl::expected<std::vector<Token>, CompileError> Tokenize(std::string_view text) {
  return Lexer(text).Run();
}

std::string Describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of expression";
    case TokenKind::kString:
      return std::string(token.raw);
    default:
      return fmt::format("'{}'", token.raw);
  }
}

CompileError ErrorAt(std::string_view text, uint32_t offset, std::string message) {
  CompileError error;
  error.message = std::move(message);
  size_t end = std::min<size_t>(offset, text.size());
  error.offset = static_cast<uint32_t>(end);
  for (size_t i = 0; i < end; ++i) {
    char c = text[i];
    if (c == '\n') {
      ++error.line;
      error.column = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++error.column;
    }
  }
  return error;
}

std::string WhereIs(std::string_view text, uint32_t offset, uint32_t from) {
  CompileError at = ErrorAt(text, offset, "");
  CompileError here = ErrorAt(text, from, "");
  if (at.line == here.line) return fmt::format("column {}", at.column);
  return fmt::format("line {}, column {}", at.line, at.column);
}

namespace {

// The byte of `text` at 1-based `line` and `column` (in characters), as ErrorAt counts them.
size_t OffsetAt(std::string_view text, int line, int column) {
  size_t i = 0;
  for (int l = 1; l < line && i < text.size(); ++i) {
    if (text[i] == '\n') ++l;
  }
  for (int c = 1; i < text.size() && text[i] != '\n'; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && c++ == column) break;
  }
  return i;
}

}  // namespace

std::string MessageInFile(const CompileError& error, std::string_view text,
                          const PlaceInFile& place) {
  static const re2::RE2 kWhere(R"(\bat (?:line (\d+), )?column (\d+))");
  const int error_line = place(error.offset).first;
  std::string out;
  re2::StringPiece rest(error.message);
  re2::StringPiece match[3];
  while (kWhere.Match(rest, 0, rest.size(), re2::RE2::UNANCHORED, match, 3)) {
    const bool has_line = match[1].data() != nullptr;
    const int line = has_line ? std::stoi(std::string(match[1])) : error.line;
    const auto [file_line, file_column] =
        place(OffsetAt(text, line, std::stoi(std::string(match[2]))));
    out.append(rest.data(), static_cast<size_t>(match[0].data() - rest.data()));
    out += file_line == error_line ? fmt::format("at column {}", file_column)
                                   : fmt::format("at line {}, column {}", file_line, file_column);
    rest.remove_prefix(static_cast<size_t>(match[0].data() + match[0].size() - rest.data()));
  }
  out.append(rest.data(), rest.size());
  return out;
}

bool IsKeyword(std::string_view word) {
  for (const Keyword& k : kKeywords) {
    if (word == k.word) return true;
  }
  return false;
}

std::string NameAsWritten(std::string_view name) {
  bool bare = !name.empty() && !IsKeyword(name) && !name.starts_with("lead.");
  for (size_t i = 0, part = 0; bare && i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      bare = i > part;  // no empty part: `a..b`, `.a`, `a.`
      part = i + 1;
    } else {
      bare = i == part ? IsIdentStart(name[i]) : IsIdentChar(name[i]);
    }
  }
  return bare ? std::string(name) : "`" + std::string(name) + "`";
}

}  // namespace leadscore::expr
