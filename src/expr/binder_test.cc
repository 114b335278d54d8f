// Tests for the binder: name resolution, load-time type errors (versus kAny deferring to run
// time), function and list lookup with suggestions, and static result types.
#include "expr/binder.h"

#include <gtest/gtest.h>

#include "expr/parser.h"
#include "expr/test_scope.h"

namespace leadscore::expr {
namespace {

class BinderTest : public ::testing::Test {
 protected:
  BinderTest() {
    scope_.Field("company_size", Type::kNumber)
        .Field("industry", Type::kString)
        .Field("active", Type::kBool)
        .Field("signed_up", Type::kTime)
        .Field("url", Type::kString, Source::kEvent)
        .Field("fit", Type::kNumber, Source::kComputed)
        .LeadField("country", Type::kString)
        .List("free_email", {Value::String("gmail.com"), Value::String("yahoo.com")})
        .List("sizes", {Value::Number(10), Value::Number(50)})
        .Forbid("grade", "`grade` is not available in grades");
  }

  tl::expected<std::unique_ptr<BoundExpr>, CompileError> B(std::string_view text) {
    auto ast = Parse(text);
    if (!ast) return tl::unexpected(ast.error());
    return Bind(**ast, text, scope_);
  }
  Type TypeOfExpr(std::string_view text) {
    auto bound = B(text);
    EXPECT_TRUE(bound.has_value()) << text << ": " << (bound ? "" : bound.error().message);
    return bound ? (*bound)->type : Type::kAny;
  }
  CompileError Err(std::string_view text) {
    auto bound = B(text);
    EXPECT_FALSE(bound.has_value()) << text << " bound";
    return bound ? CompileError{} : bound.error();
  }

  TestScope scope_;
};

TEST_F(BinderTest, ResolvesNamesToSlots) {
  auto bound = B("url");
  ASSERT_TRUE(bound.has_value());
  EXPECT_EQ((*bound)->binding.source, Source::kEvent);
  EXPECT_EQ((*bound)->binding.slot, 0u);
  EXPECT_EQ((*bound)->type, Type::kString);
  auto lead = B("lead.country");
  ASSERT_TRUE(lead.has_value());
  EXPECT_EQ((*lead)->binding.slot, scope_.Get("country", true).slot);
  EXPECT_EQ((*lead)->name, "lead.country");
}

TEST_F(BinderTest, ResolveErrorBecomesCompileErrorAtTheName) {
  CompileError e = Err("fit > 1 and grade == \"A\"");
  EXPECT_EQ(e.column, 13);
  EXPECT_EQ(e.message, "`grade` is not available in grades");
}

TEST_F(BinderTest, ComparingKnownDifferentTypesIsAnError) {
  CompileError e = Err("company_size > \"10\"");
  EXPECT_EQ(e.column, 14);
  EXPECT_EQ(e.message, "cannot compare number with string");
  EXPECT_EQ(Err("signed_up < 5").message, "cannot compare time with number");
  EXPECT_EQ(Err("active == 1").message, "cannot compare bool with number");
}

TEST_F(BinderTest, ComparingWithAnyOrNullCompiles) {
  EXPECT_EQ(TypeOfExpr("undeclared > \"10\""), Type::kBool);
  EXPECT_EQ(TypeOfExpr("company_size == null"), Type::kBool);
  EXPECT_EQ(TypeOfExpr("null == \"x\""), Type::kBool);
}

TEST_F(BinderTest, OrderingBoolsIsAnError) {
  EXPECT_NE(Err("active < true").message.find("cannot order bool"), std::string::npos);
  EXPECT_EQ(TypeOfExpr("active == true"), Type::kBool);
}

TEST_F(BinderTest, ArithmeticTypes) {
  EXPECT_EQ(TypeOfExpr("company_size * 2 + 1"), Type::kNumber);
  EXPECT_EQ(TypeOfExpr("signed_up + 7d"), Type::kTime);
  EXPECT_EQ(TypeOfExpr("7d + signed_up"), Type::kTime);
  EXPECT_EQ(TypeOfExpr("signed_up - 1h"), Type::kTime);
  EXPECT_EQ(TypeOfExpr("signed_up - signed_up"), Type::kNumber);
  EXPECT_EQ(TypeOfExpr("x + 1"), Type::kAny);  // x could be a time
  EXPECT_EQ(TypeOfExpr("x * 1"), Type::kNumber);
  EXPECT_EQ(TypeOfExpr("null + 1"), Type::kNull);
  EXPECT_EQ(TypeOfExpr("-company_size"), Type::kNumber);
}

TEST_F(BinderTest, ArithmeticOnWrongTypesIsAnError) {
  CompileError e = Err("industry + 1");
  EXPECT_EQ(e.column, 10);
  EXPECT_EQ(e.message, "cannot apply '+' to string and number");
  EXPECT_EQ(Err("x * industry").message, "cannot apply '*' to any and string");
  EXPECT_EQ(Err("signed_up + signed_up").message, "cannot apply '+' to time and time");
  EXPECT_EQ(Err("1 - signed_up").message, "cannot apply '-' to number and time");
  EXPECT_EQ(Err("signed_up * 2").message, "cannot apply '*' to time and number");
  EXPECT_EQ(Err("active / 2").message, "cannot apply '/' to bool and number");
  EXPECT_EQ(Err("-industry").message, "cannot negate a string");
}

TEST_F(BinderTest, LogicNeedsBools) {
  CompileError e = Err("active and company_size");
  EXPECT_EQ(e.column, 12);
  EXPECT_EQ(e.message, "'and' needs bool operands, got number");
  EXPECT_EQ(Err("industry or active").message, "'or' needs bool operands, got string");
  EXPECT_EQ(Err("not industry").message, "'not' needs a bool, got string");
  EXPECT_EQ(TypeOfExpr("x and not y or null"), Type::kBool);
}

TEST_F(BinderTest, InChecksElementTypes) {
  EXPECT_EQ(TypeOfExpr("industry in [\"IT\", null]"), Type::kBool);
  EXPECT_EQ(TypeOfExpr("x in @sizes"), Type::kBool);
  CompileError e = Err("company_size in [\"a\"]");
  EXPECT_EQ(e.column, 14);
  EXPECT_EQ(e.message, "cannot compare number with the string elements of the list");
  EXPECT_EQ(Err("industry not in @sizes").message,
            "cannot compare string with the number elements of the list");
}

TEST_F(BinderTest, RejectsMixedListLiteralAtTheElement) {
  CompileError e = Err("x in [1, null, \"a\"]");
  EXPECT_EQ(e.column, 16);
  EXPECT_EQ(e.message, "a list's elements must have one type: this string follows number elements");
}

TEST_F(BinderTest, RejectsMixedNamedList) {
  scope_.List("mixed", {Value::Number(1), Value::String("a")});
  EXPECT_EQ(Err("x in @mixed").message, "list @mixed mixes number and string elements");
}

TEST_F(BinderTest, UnknownListSuggestsClosest) {
  CompileError e = Err("domain(email) in @free_emial");
  EXPECT_EQ(e.column, 18);
  EXPECT_EQ(e.message, "unknown list '@free_emial'; did you mean '@free_email'?");
  EXPECT_EQ(Err("x in @zzzzzz").message, "unknown list '@zzzzzz'; lists are: @free_email, @sizes");
  TestScope empty;
  auto ast = Parse("x in @a");
  ASSERT_TRUE(ast.has_value());
  auto bound = Bind(**ast, "x in @a", empty);
  ASSERT_FALSE(bound.has_value());
  EXPECT_EQ(bound.error().message, "unknown list '@a'; the model defines no lists");
}

TEST_F(BinderTest, UnknownFunctionSuggestsClosest) {
  CompileError e = Err("x and lowr(industry) == \"a\"");
  EXPECT_EQ(e.column, 7);
  EXPECT_EQ(e.message, "unknown function 'lowr'; did you mean 'lower'?");
  EXPECT_EQ(Err("LOWER(x)").message, "unknown function 'LOWER'; did you mean 'lower'?");
  std::string far = Err("frobnicate(x)").message;
  EXPECT_NE(far.find("functions are: lower, upper, trim"), std::string::npos) << far;
}

TEST_F(BinderTest, WrongArityNamesTheExpectedCount) {
  CompileError e = Err("lower(a, b)");
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(e.message, "lower() takes 1 argument, got 2 (lower(s))");
  EXPECT_EQ(Err("contains(a)").message, "contains() takes 2 arguments, got 1 (contains(s, sub))");
  EXPECT_EQ(Err("min(a)").message, "min() takes at least 2 arguments, got 1 (min(a, b, ...))");
  EXPECT_EQ(Err("coalesce()").message,
            "coalesce() takes at least 1 argument, got 0 (coalesce(a, b, ...))");
  EXPECT_EQ(Err("if(a, b)").message, "if() takes 3 arguments, got 2 (if(c, a, b))");
}

TEST_F(BinderTest, KnownWrongArgumentTypeIsAnError) {
  CompileError e = Err("lower(5)");
  EXPECT_EQ(e.column, 7);
  EXPECT_EQ(e.message, "lower() expects a string as argument 1, got number");
  EXPECT_EQ(Err("abs(industry)").message, "abs() expects a number as argument 1, got string");
  EXPECT_EQ(Err("days_since(active)").message,
            "days_since() expects a number, string or time as argument 1, got bool");
  EXPECT_EQ(Err("if(company_size, 1, 2)").message, "if() expects a bool as argument 1, got number");
  EXPECT_EQ(Err("min(1, active)").message,
            "min() expects a number, string or time as argument 2, got bool");
}

TEST_F(BinderTest, AnyArgumentCompiles) {
  EXPECT_EQ(TypeOfExpr("lower(x)"), Type::kString);
  EXPECT_EQ(TypeOfExpr("len(x)"), Type::kNumber);
  EXPECT_EQ(TypeOfExpr("lower(null)"), Type::kString);
}

TEST_F(BinderTest, PolymorphicResultTypes) {
  EXPECT_EQ(TypeOfExpr("coalesce(company_size, 0)"), Type::kNumber);
  EXPECT_EQ(TypeOfExpr("coalesce(x, 0)"), Type::kAny);
  EXPECT_EQ(TypeOfExpr("coalesce(null, null)"), Type::kNull);
  EXPECT_EQ(TypeOfExpr("max(1, company_size, 3)"), Type::kNumber);
  EXPECT_EQ(TypeOfExpr("if(active, null, industry)"), Type::kString);
  EXPECT_EQ(TypeOfExpr("if(x, 1, 2)"), Type::kNumber);
}

TEST_F(BinderTest, PolymorphicArgumentsMustAgree) {
  CompileError e = Err("coalesce(company_size, \"none\")");
  EXPECT_EQ(e.column, 24);
  EXPECT_EQ(e.message,
            "coalesce() needs arguments of one type: argument 1 is number, "
            "argument 2 is string");
  EXPECT_NE(Err("if(active, 1, \"x\")").message.find("argument 2 is number, argument 3 is string"),
            std::string::npos);
  EXPECT_NE(Err("max(signed_up, 1)").message.find("one type"), std::string::npos);
}

TEST_F(BinderTest, MatchesNeedsAValidRegexLiteral) {
  auto bound = B("matches(url, \"^/pricing(/|$)\")");
  ASSERT_TRUE(bound.has_value());
  EXPECT_NE((*bound)->regex, nullptr);
  CompileError e = Err("matches(url, industry)");
  EXPECT_EQ(e.column, 14);
  EXPECT_EQ(e.message, "matches() needs a string literal as its pattern");
  CompileError bad = Err("matches(url, \"(unclosed\")");
  EXPECT_EQ(bad.column, 14);
  EXPECT_NE(bad.message.find("invalid regular expression: missing )"), std::string::npos)
      << bad.message;
}

TEST_F(BinderTest, BetweenChecksAllThreeTypes) {
  EXPECT_EQ(TypeOfExpr("company_size between 10 and 100"), Type::kBool);
  EXPECT_EQ(Err("company_size between \"a\" and 100").message, "cannot compare number with string");
  EXPECT_EQ(Err("x between 1 and \"z\"").message, "cannot compare number with string");
  EXPECT_NE(Err("active between true and false").message.find("cannot order bool"),
            std::string::npos);
}

TEST_F(BinderTest, CopiesNamedListValues) {
  auto bound = B("x in @free_email");
  ASSERT_TRUE(bound.has_value());
  ASSERT_EQ((*bound)->list.size(), 2u);
  EXPECT_EQ((*bound)->list[0].text, "gmail.com");
  EXPECT_EQ((*bound)->name, "@free_email");
}

}  // namespace
}  // namespace leadscore::expr
