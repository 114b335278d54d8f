// Tests for the lexer: token kinds and text, durations, escapes, and error positions.
#include "expr/lexer.h"

#include <gtest/gtest.h>

namespace leadscore::expr {
namespace {

std::vector<Token> Lex(std::string_view text) {
  auto tokens = Tokenize(text);
  EXPECT_TRUE(tokens.has_value()) << text << ": " << tokens.error().message;
  return tokens ? *tokens : std::vector<Token>{};
}

CompileError LexError(std::string_view text) {
  auto tokens = Tokenize(text);
  EXPECT_FALSE(tokens.has_value()) << text;
  return tokens ? CompileError{} : tokens.error();
}

TEST(Lexer, SplitsOperatorsAndEndsWithEnd) {
  std::vector<Token> t = Lex("a<=b != (c) >= d == e < f > g + - * / , [ ]");
  std::vector<TokenKind> kinds;
  for (const Token& token : t) kinds.push_back(token.kind);
  std::vector<TokenKind> expected = {
      TokenKind::kName,     TokenKind::kLe,       TokenKind::kName,   TokenKind::kNe,
      TokenKind::kLParen,   TokenKind::kName,     TokenKind::kRParen, TokenKind::kGe,
      TokenKind::kName,     TokenKind::kEq,       TokenKind::kName,   TokenKind::kLt,
      TokenKind::kName,     TokenKind::kGt,       TokenKind::kName,   TokenKind::kPlus,
      TokenKind::kMinus,    TokenKind::kStar,     TokenKind::kSlash,  TokenKind::kComma,
      TokenKind::kLBracket, TokenKind::kRBracket, TokenKind::kEnd};
  EXPECT_EQ(kinds, expected);
}

TEST(Lexer, KeywordsAreNotNames) {
  std::vector<Token> t = Lex("and or not in between true false null andy");
  EXPECT_EQ(t[0].kind, TokenKind::kAnd);
  EXPECT_EQ(t[1].kind, TokenKind::kOr);
  EXPECT_EQ(t[2].kind, TokenKind::kNot);
  EXPECT_EQ(t[3].kind, TokenKind::kIn);
  EXPECT_EQ(t[4].kind, TokenKind::kBetween);
  EXPECT_EQ(t[5].kind, TokenKind::kTrue);
  EXPECT_EQ(t[6].kind, TokenKind::kFalse);
  EXPECT_EQ(t[7].kind, TokenKind::kNull);
  EXPECT_EQ(t[8].kind, TokenKind::kName);
  EXPECT_EQ(t[8].text, "andy");
}

TEST(Lexer, DottedNameIsOneToken) {
  std::vector<Token> t = Lex("utm.source == x");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].kind, TokenKind::kName);
  EXPECT_EQ(t[0].text, "utm.source");
  EXPECT_FALSE(t[0].lead_prefixed);
}

TEST(Lexer, LeadPrefixIsStripped) {
  std::vector<Token> t = Lex("lead.country lead.utm.source lead");
  EXPECT_EQ(t[0].text, "country");
  EXPECT_TRUE(t[0].lead_prefixed);
  EXPECT_EQ(t[1].text, "utm.source");
  EXPECT_TRUE(t[1].lead_prefixed);
  EXPECT_EQ(t[2].text, "lead");
  EXPECT_FALSE(t[2].lead_prefixed);
}

TEST(Lexer, BacktickNamesTakeAnyCharacters) {
  std::vector<Token> t = Lex("`Lead Source` lead.`Deal Size (€)` `lead.x`");
  EXPECT_EQ(t[0].kind, TokenKind::kName);
  EXPECT_EQ(t[0].text, "Lead Source");
  EXPECT_TRUE(t[0].backticked);
  EXPECT_FALSE(t[0].lead_prefixed);
  EXPECT_EQ(t[1].text, "Deal Size (€)");
  EXPECT_TRUE(t[1].lead_prefixed);
  EXPECT_EQ(t[2].text, "lead.x");  // backticks make it a literal name
  EXPECT_FALSE(t[2].lead_prefixed);
}

TEST(Lexer, RejectsUnterminatedAndEmptyBackticks) {
  CompileError e = LexError("a == `Lead Source");
  EXPECT_EQ(e.column, 6);
  EXPECT_NE(e.message.find("missing closing '`'"), std::string::npos) << e.message;
  EXPECT_NE(LexError("``").message.find("empty name"), std::string::npos);
}

TEST(Lexer, ListReference) {
  std::vector<Token> t = Lex("@free_email @`my list`");
  EXPECT_EQ(t[0].kind, TokenKind::kListRef);
  EXPECT_EQ(t[0].text, "free_email");
  EXPECT_EQ(t[1].kind, TokenKind::kListRef);
  EXPECT_EQ(t[1].text, "my list");
  EXPECT_NE(LexError("x in @ 3").message.find("list name"), std::string::npos);
}

TEST(Lexer, Numbers) {
  std::vector<Token> t = Lex("0 12 2.5 1e3 1.5E-2");
  EXPECT_EQ(t[0].number, 0);
  EXPECT_EQ(t[1].number, 12);
  EXPECT_EQ(t[2].number, 2.5);
  EXPECT_EQ(t[3].number, 1000);
  EXPECT_EQ(t[4].number, 0.015);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(t[i].kind, TokenKind::kNumber);
}

TEST(Lexer, DurationsAreSeconds) {
  std::vector<Token> t = Lex("30s 5m 2h 7d 1w 1.5h");
  double expected[] = {30, 300, 7200, 7 * 86400, 7 * 86400, 5400};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(t[i].kind, TokenKind::kDuration) << i;
    EXPECT_EQ(t[i].number, expected[i]) << i;
  }
}

TEST(Lexer, RejectsBadNumbers) {
  CompileError e = LexError("x > 7days");
  EXPECT_EQ(e.column, 5);
  EXPECT_NE(e.message.find("invalid number '7days'"), std::string::npos) << e.message;
  EXPECT_NE(LexError("7x").message.find("duration"), std::string::npos);
  EXPECT_NE(LexError("1e5d").message.find("invalid number"), std::string::npos);
  EXPECT_NE(LexError("5.").message.find("digit after '.'"), std::string::npos);
  CompileError dot = LexError("size > .5");
  EXPECT_EQ(dot.column, 8);
  EXPECT_EQ(dot.message, "a number starts with a digit: write 0.5");
  EXPECT_NE(LexError("1e999").message.find("out of range"), std::string::npos);
}

TEST(Lexer, StringEscapes) {
  std::vector<Token> t = Lex(R"("a\"b\\c\nd\te")");
  EXPECT_EQ(t[0].kind, TokenKind::kString);
  EXPECT_EQ(t[0].text, "a\"b\\c\nd\te");
  EXPECT_EQ(Lex(R"("")")[0].text, "");
}

TEST(Lexer, RejectsUnknownEscapeAtBackslash) {
  CompileError e = LexError(R"(x == "a\qb")");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 8);
  EXPECT_NE(e.message.find("unknown escape"), std::string::npos) << e.message;
}

TEST(Lexer, RejectsUnterminatedStringAtOpeningQuote) {
  CompileError e = LexError(R"(x == "abc)");
  EXPECT_EQ(e.column, 6);
  EXPECT_NE(e.message.find("unterminated string"), std::string::npos);
  EXPECT_NE(LexError(R"("abc\)").message.find("unterminated string"), std::string::npos);
}

TEST(Lexer, HintsForOperatorsFromOtherLanguages) {
  EXPECT_NE(LexError("a = 1").message.find("use '=='"), std::string::npos);
  EXPECT_NE(LexError("!a").message.find("use 'not'"), std::string::npos);
  EXPECT_NE(LexError("a && b").message.find("use 'and'"), std::string::npos);
  EXPECT_NE(LexError("a || b").message.find("use 'or'"), std::string::npos);
  EXPECT_NE(LexError("a == 'x'").message.find("double quotes"), std::string::npos);
  EXPECT_NE(LexError("a <> b").message.find("'!='"), std::string::npos);
}

TEST(Lexer, ReportsUnknownCharacterWhole) {
  CompileError e = LexError("a € b");
  EXPECT_EQ(e.column, 3);
  EXPECT_EQ(e.message, "unexpected character '€'");
}

TEST(Lexer, ColumnsCountCodePointsAndLinesCountNewlines) {
  CompileError e = ErrorAt("`é` ==\n  x", 10, "m");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 3);
  CompileError f = ErrorAt("`éé` ?", 7, "m");  // 2-byte é: the ? is byte 7, code point 6
  EXPECT_EQ(f.line, 1);
  EXPECT_EQ(f.column, 6);
}

TEST(Lexer, DescribeQuotesTokens) {
  std::vector<Token> t = Lex(R"(foo "bar" ==)");
  EXPECT_EQ(Describe(t[0]), "'foo'");
  EXPECT_EQ(Describe(t[1]), "\"bar\"");
  EXPECT_EQ(Describe(t[2]), "'=='");
  EXPECT_EQ(Describe(t[3]), "end of expression");
}

TEST(Lexer, NameAsWrittenBackticksWhatIsNoBareName) {
  EXPECT_EQ(NameAsWritten("industry"), "industry");
  EXPECT_EQ(NameAsWritten("utm.source"), "utm.source");
  EXPECT_EQ(NameAsWritten("_x9"), "_x9");
  for (const char* name : {"utm source", "Lead Source", "in", "null", "lead.country", "9lives",
                           "a..b", ".a", "a.", "", "é"}) {
    EXPECT_EQ(NameAsWritten(name), "`" + std::string(name) + "`") << name;
  }
}

}  // namespace
}  // namespace leadscore::expr
