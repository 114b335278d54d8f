// Tests for the parser: precedence (through an s-expression rendering), error positions and
// messages, and the depth limits.
#include "expr/parser.h"

#include <gtest/gtest.h>

#include "core/value.h"

namespace leadscore::expr {
namespace {

std::string Sexp(const Ast& ast) {
  switch (ast.kind) {
    case ExprKind::kLiteral:
      return ast.literal.ToValue().ToString();
    case ExprKind::kName:
      return (ast.lead_prefixed ? "lead." : "") + ast.name;
    case ExprKind::kListRef:
      return "@" + ast.name;
    case ExprKind::kNeg:
      return "(neg " + Sexp(*ast.children[0]) + ")";
    default:
      break;
  }
  std::string out = "(";
  if (ast.kind == ExprKind::kCall) {
    out += ast.name;
  } else if (ast.kind == ExprKind::kList) {
    out += "list";
  } else {
    out += ExprKindName(ast.kind);
  }
  for (const auto& child : ast.children) (out += ' ') += Sexp(*child);
  return out + ")";
}

std::string P(std::string_view text) {
  auto ast = Parse(text);
  if (!ast) return "error: " + ast.error().message;
  return Sexp(**ast);
}

CompileError ParseError(std::string_view text) {
  auto ast = Parse(text);
  EXPECT_FALSE(ast.has_value()) << text << " parsed as " << (ast ? Sexp(**ast) : "");
  return ast ? CompileError{} : ast.error();
}

TEST(Parser, OrIsLooserThanAnd) {
  EXPECT_EQ(P("a or b and c"), "(or a (and b c))");
  EXPECT_EQ(P("a and b or c"), "(or (and a b) c)");
}

TEST(Parser, NotIsLooserThanComparison) {
  EXPECT_EQ(P("not a == b"), "(not (== a b))");
  EXPECT_EQ(P("not a and b"), "(and (not a) b)");
  EXPECT_EQ(P("not not a"), "(not (not a))");
}

TEST(Parser, ComparisonIsLooserThanArithmetic) {
  EXPECT_EQ(P("a + 1 > b * 2"), "(> (+ a 1) (* b 2))");
}

TEST(Parser, ProductIsTighterThanSumAndBothAssociateLeft) {
  EXPECT_EQ(P("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(P("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(P("a / b * c"), "(* (/ a b) c)");
}

TEST(Parser, UnaryMinusIsTighterThanProduct) {
  EXPECT_EQ(P("-a * b"), "(* (neg a) b)");
  EXPECT_EQ(P("- -3"), "(neg (neg 3))");
  EXPECT_EQ(P("a - -b"), "(- a (neg b))");
}

TEST(Parser, ParenthesesOverridePrecedence) {
  EXPECT_EQ(P("(a + b) * c"), "(* (+ a b) c)");
  EXPECT_EQ(P("(a or b) and c"), "(and (or a b) c)");
}

TEST(Parser, BetweenOwnsItsAnd) {
  EXPECT_EQ(P("x between 10 and 100"), "(between x 10 100)");
  EXPECT_EQ(P("x between 1 and 2 and y"), "(and (between x 1 2) y)");
  EXPECT_EQ(P("x between a + 1 and b * 2"), "(between x (+ a 1) (* b 2))");
  EXPECT_EQ(P("not x between 1 and 2"), "(not (between x 1 2))");
}

TEST(Parser, InAndNotIn) {
  EXPECT_EQ(P("industry in [\"IT\", \"Software\"]"), "(in industry (list \"IT\" \"Software\"))");
  EXPECT_EQ(P("domain(email) not in @free_email"), "(not in (domain email) @free_email)");
  EXPECT_EQ(P("x in []"), "(in x (list))");
  EXPECT_EQ(P("x in [1, -2, 7d, -1.5h, null, true]"), "(in x (list 1 -2 604800 -5400 null true))");
}

TEST(Parser, NamesAndCalls) {
  EXPECT_EQ(P("lead.country == `Lead Source`"), "(== lead.country Lead Source)");
  EXPECT_EQ(P("coalesce(a, b, 3)"), "(coalesce a b 3)");
  EXPECT_EQ(P("if(x > 1, \"big\", \"small\")"), "(if (> x 1) \"big\" \"small\")");
  EXPECT_EQ(P("f()"), "(f)");
  EXPECT_EQ(P("utm.source"), "utm.source");
}

TEST(Parser, RejectsUnclosedParenWithColumn) {
  CompileError e = ParseError("a and (b or c");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 14);
  EXPECT_EQ(e.message, "unexpected end of expression; expected ')' to close '(' at column 7");
  CompileError f = ParseError("(a b)");
  EXPECT_EQ(f.column, 4);
  EXPECT_EQ(f.message, "unexpected 'b'; expected ')' to close '(' at column 1");
}

TEST(Parser, RejectsUnclosedParenOnAnotherLine) {
  CompileError e = ParseError("(a or\n b c");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 4);
  EXPECT_NE(e.message.find("'(' at line 1, column 1"), std::string::npos) << e.message;
}

// In a model file the expression starts somewhere on a line: the column an error names is
// the file's, like the error's own position.
std::string MessageInFileAt(const std::string& text, int line, int column) {
  return MessageInFile(ParseError(text), text, [&](size_t offset) {
    std::pair<int, int> at(line, column);
    for (size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        at = {at.first + 1, 1};
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        ++at.second;
      }
    }
    return at;
  });
}

TEST(Parser, PositionsInAMessageMoveToTheFile) {
  EXPECT_EQ(MessageInFileAt("a and (b or c", 5, 13),
            "unexpected end of expression; expected ')' to close '(' at column 19");
  EXPECT_EQ(MessageInFileAt("(a or\n b c", 5, 13),
            "unexpected 'c'; expected ')' to close '(' at line 5, column 13");
  EXPECT_EQ(MessageInFileAt("(a or\n (b c", 5, 13),
            "unexpected 'c'; expected ')' to close '(' at column 2");
  EXPECT_EQ(MessageInFileAt("x in [1, 2", 1, 1), ParseError("x in [1, 2").message);
  // Characters, not bytes: "é" is one column.
  EXPECT_EQ(MessageInFileAt("\"é\" == (b or c", 2, 3),
            "unexpected end of expression; expected ')' to close '(' at column 10");
}

TEST(Parser, RejectsUnexpectedEnd) {
  CompileError e = ParseError("a ==");
  EXPECT_EQ(e.column, 5);
  EXPECT_EQ(e.message, "unexpected end of expression; expected a value");
  EXPECT_EQ(ParseError("a and").column, 6);
}

TEST(Parser, RejectsEmptyExpression) {
  EXPECT_EQ(ParseError("").message, "empty expression");
  EXPECT_EQ(ParseError("   ").message, "empty expression");
}

TEST(Parser, RejectsChainedComparisons) {
  CompileError e = ParseError("a < b < c");
  EXPECT_EQ(e.column, 7);
  EXPECT_NE(e.message.find("comparisons do not chain"), std::string::npos) << e.message;
  EXPECT_NE(ParseError("a == b in [1]").message.find("do not chain"), std::string::npos);
  EXPECT_NE(ParseError("a in [1] not in [2]").message.find("do not chain"), std::string::npos);
  EXPECT_NE(ParseError("x between 1 and 2 == y").message.find("do not chain"), std::string::npos);
}

TEST(Parser, RejectsTrailingTokens) {
  CompileError e = ParseError("a == 1 b");
  EXPECT_EQ(e.column, 8);
  EXPECT_EQ(e.message, "unexpected 'b'; expected an operator or the end of the expression");
  CompileError f = ParseError("a)");
  EXPECT_EQ(f.column, 2);
  EXPECT_NE(f.message.find("without a matching '('"), std::string::npos);
}

TEST(Parser, HintsAtUpperCaseKeywords) {
  CompileError e = ParseError("a AND b");
  EXPECT_NE(e.message.find("keywords are lower case: 'and'"), std::string::npos) << e.message;
}

TEST(Parser, RejectsBetweenWithoutAnd) {
  CompileError e = ParseError("x between 1 or 2");
  EXPECT_EQ(e.column, 13);
  EXPECT_NE(e.message.find("'and' to finish 'between' at column 3"), std::string::npos)
      << e.message;
}

TEST(Parser, RejectsListsOutsideIn) {
  EXPECT_EQ(ParseError("[1, 2]").message, "a list can only follow 'in' or 'not in'");
  EXPECT_EQ(ParseError("@x == 1").message, "a list can only follow 'in' or 'not in'");
  CompileError e = ParseError("x in y");
  EXPECT_EQ(e.column, 6);
  EXPECT_NE(e.message.find("a list after 'in'"), std::string::npos);
}

TEST(Parser, RejectsNonLiteralListElements) {
  CompileError e = ParseError("x in [1, y]");
  EXPECT_EQ(e.column, 10);
  EXPECT_NE(e.message.find("list elements must be literals"), std::string::npos);
  EXPECT_NE(ParseError("x in [1, 2").message.find("',' or ']' to close '['"), std::string::npos);
  EXPECT_NE(ParseError("x in [1,]").message.find("a list element"), std::string::npos);
  EXPECT_NE(ParseError("x in [-\"a\"]").message.find("a number after '-'"), std::string::npos);
}

TEST(Parser, RejectsUnclosedCall) {
  CompileError e = ParseError("lower(a b");
  EXPECT_EQ(e.column, 9);
  EXPECT_EQ(e.message, "unexpected 'b'; expected ',' or ')' to close 'lower(' at column 6");
}

TEST(Parser, RejectsNotWithoutIn) {
  EXPECT_NE(ParseError("a not b").message.find("unexpected 'not'"), std::string::npos);
}

TEST(Parser, KeepsOperatorAndStartOffsets) {
  auto ast = Parse("(a + b) * c");
  ASSERT_TRUE(ast.has_value());
  EXPECT_EQ((*ast)->offset, 8u);               // the '*'
  EXPECT_EQ((*ast)->children[0]->start, 0u);   // the '(' of the left operand
  EXPECT_EQ((*ast)->children[0]->offset, 3u);  // its '+'
}

TEST(Parser, RejectsDeepNesting) {
  std::string deep(kMaxNesting + 1, '(');
  deep += "a";
  deep += std::string(kMaxNesting + 1, ')');
  EXPECT_NE(ParseError(deep).message.find("nested too deeply"), std::string::npos);
  std::string minus(10000, '-');
  EXPECT_NE(ParseError(minus + "1").message.find("nested too deeply"), std::string::npos);
}

TEST(Parser, RejectsOverlongOperatorChains) {
  std::string chain = "a";
  for (int i = 0; i < kMaxDepth + 1; ++i) chain += " or a";
  EXPECT_NE(ParseError(chain).message.find("nested too deeply"), std::string::npos);
  std::string ok = "a";
  for (int i = 0; i < 500; ++i) ok += " or a";
  EXPECT_TRUE(Parse(ok).has_value());
}

}  // namespace
}  // namespace leadscore::expr
