// Lexer: expression text -> tokens, and byte offsets -> line:column for error messages.
//
// Tokens own their decoded text (names without backticks or `lead.` prefix, string literals
// with escapes resolved) and keep the byte offset where they start. Stateless functions only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "expr/expr.h"

namespace leadscore::expr {

enum class TokenKind : uint8_t {
  kEnd,       // end of the text
  kNumber,    // 12, 2.5, 1e3
  kDuration,  // 7d, 1.5h: `number` holds seconds
  kString,    // "text": `text` holds the decoded bytes
  kName,      // utm.source, `Lead Source`, lead.x (lead_prefixed, `text` is "x")
  kListRef,   // @free_email: `text` is "free_email"
  kAnd,
  kOr,
  kNot,
  kIn,
  kBetween,
  kTrue,
  kFalse,
  kNull,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kEq,  // ==
  kNe,  // !=
  kLt,
  kLe,
  kGt,
  kGe,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  uint32_t offset = 0;   // first byte in the text
  std::string_view raw;  // the token as written (views the text)
  std::string text;      // see TokenKind
  double number = 0;
  bool lead_prefixed = false;
  bool backticked = false;
};

// Splits `text` into tokens, the last one kEnd. Fails on the first malformed token (unknown
// character, unterminated string or backtick, unknown escape, number out of range, bad unit).
tl::expected<std::vector<Token>, CompileError> Tokenize(std::string_view text);

// How a token reads in a message: `'foo'`, `'=='`, `"text"`, `end of expression`.
std::string Describe(const Token& token);

// 1-based line and column of byte `offset` in `text`. Columns count Unicode code points, so a
// caret under an accented name lands where an editor shows it.
CompileError ErrorAt(std::string_view text, uint32_t offset, std::string message);

// "column 7" when `offset` is on the same line as `from`, else "line 2, column 7".
std::string WhereIs(std::string_view text, uint32_t offset, uint32_t from);

// True for the words that are never names: and or not in between true false null.
bool IsKeyword(std::string_view word);

// `name` as an expression writes it: bare when it reads so (`industry`, `utm.source`), else
// in backticks (`` `Lead Source` ``, a keyword, a name led by `lead.`, which means a lead's).
std::string NameAsWritten(std::string_view name);

}  // namespace leadscore::expr
