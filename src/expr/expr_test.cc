// End-to-end tests of the public API (expr.h): the SCORING.md examples, the typing rule,
// names, durations, and error positions through Compile().
#include "expr/expr.h"

#include <gtest/gtest.h>

#include "expr/test_scope.h"

namespace leadscore::expr {
namespace {

TEST(Expr, TypeNamesAndTypeOf) {
  EXPECT_EQ(TypeName(Type::kAny), "any");
  EXPECT_EQ(TypeName(Type::kTime), "time");
  EXPECT_EQ(TypeOf(ValueType::kString), Type::kString);
  EXPECT_EQ(TypeOf(ValueType::kNull), Type::kNull);
}

TEST(Expr, ScoringMdFitRules) {
  Harness h;
  h.scope.Field("company_size", Type::kNumber).Field("industry", Type::kString);
  h.scope.List("free_email", {Value::String("gmail.com"), Value::String("yahoo.com"),
                              Value::String("hotmail.com")});
  h.Set("company_size", Value::Number(50));
  h.Set("industry", Value::String("Software"));
  h.Set("email", Value::String("bob@Gmail.com"));
  EXPECT_EQ(h.Show("company_size between 10 and 100"), "true");
  EXPECT_EQ(h.Show("industry in [\"IT\", \"Software\"]"), "true");
  EXPECT_EQ(h.Show("domain(email) in @free_email"), "true");
  EXPECT_EQ(h.Show("if(domain(email) in @free_email, null, domain(email))"), "null");
  h.Set("email", Value::String("ann@acme.io"));
  EXPECT_EQ(h.Show("if(domain(email) in @free_email, null, domain(email))"), "\"acme.io\"");
}

TEST(Expr, ScoringMdStagesAndFormula) {
  Harness h;
  h.scope.Field("fit", Type::kNumber, Source::kComputed)
      .Field("engagement", Type::kNumber, Source::kComputed)
      .Field("score", Type::kNumber, Source::kComputed)
      .Field("grade", Type::kString, Source::kComputed);
  h.Set("fit", Value::Number(45));
  h.Set("engagement", Value::Number(42.5));
  h.Set("score", Value::Number(87.5));
  h.Set("grade", Value::String("A"));
  EXPECT_EQ(h.Show("fit + engagement"), "87.5");
  EXPECT_EQ(h.Show("score >= 85 and grade == \"A\""), "true");
  EXPECT_EQ(h.Show("true"), "true");
  h.Set("grade", Value::Null());  // no grade: null in stage conditions
  EXPECT_EQ(h.Show("score >= 85 and grade == \"A\""), "null");
}

TEST(Expr, ConditionHoldsOnlyWhenExactlyTrue) {
  Harness h;
  h.Set("x", Value::Null());
  EXPECT_FALSE(h.Eval("x > 3").is_true());
  EXPECT_FALSE(h.Eval("not (x > 3)").is_true());  // null both ways
}

TEST(Expr, DeclaredTypeMismatchIsACompileErrorUndeclaredIsNull) {
  Harness h;
  h.scope.Field("company_size", Type::kNumber);
  CompileError e = h.Error("company_size > \"10\"");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 14);
  EXPECT_EQ(e.message, "cannot compare number with string");
  h.Set("size_any", Value::Number(50));
  EXPECT_EQ(h.Show("size_any > \"10\""), "null");
  h.Set("size_any", Value::String("50"));
  EXPECT_EQ(h.Show("size_any > \"10\""), "true");  // both strings at run time
}

TEST(Expr, BackticksAndLeadPrefix) {
  Harness h;
  h.Set("Lead Source", Value::String("Webinar"));
  h.Set("Lead Source", Value::String("Ads"), /*lead_prefixed=*/true);
  h.Set("utm.source", Value::String("google"));
  EXPECT_EQ(h.Show("`Lead Source`"), "\"Webinar\"");
  EXPECT_EQ(h.Show("lead.`Lead Source`"), "\"Ads\"");
  EXPECT_EQ(h.Show("utm.source == \"google\""), "true");
}

TEST(Expr, DurationsAreSecondsInExpressions) {
  Harness h;
  h.Set("age", Value::Number(3 * 86400));
  EXPECT_EQ(h.Show("age < 7d"), "true");
  EXPECT_EQ(h.Show("age > 2d + 23h"), "true");
  EXPECT_EQ(h.Show("7d"), "604800");
  EXPECT_EQ(h.Show("1w == 7d"), "true");
  EXPECT_EQ(h.Show("90s == 1.5m"), "true");
}

TEST(Expr, ResultTypeIsStatic) {
  TestScope scope;
  scope.Field("n", Type::kNumber).Field("s", Type::kString);
  auto a = Compile("n * 2", scope);
  auto b = Compile("lower(s)", scope);
  auto c = Compile("n > 1", scope);
  auto d = Compile("x", scope);
  auto e = Compile("null", scope);
  ASSERT_TRUE(a && b && c && d && e);
  EXPECT_EQ(ResultType(**a), Type::kNumber);
  EXPECT_EQ(ResultType(**b), Type::kString);
  EXPECT_EQ(ResultType(**c), Type::kBool);
  EXPECT_EQ(ResultType(**d), Type::kAny);
  EXPECT_EQ(ResultType(**e), Type::kNull);
}

TEST(Expr, ErrorsOnLaterLinesOfMultiLineText) {
  Harness h;
  CompileError e = h.Error("company_size > 10\n  and lowr(x) == \"a\"");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 7);
  EXPECT_EQ(e.message, "unknown function 'lowr'; did you mean 'lower'?");
}

TEST(Expr, UnknownNameWhenScopeRefuses) {
  Harness h;
  h.scope.auto_bind = false;
  CompileError e = h.Error("x == 1");
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(e.message, "unknown field 'x'");
}

TEST(Expr, ProgramIsSharedAcrossVms) {
  Harness h;
  h.Set("s", Value::String("ABC"));
  auto program = h.Build("lower(s)");
  ASSERT_NE(program, nullptr);
  Vm other;
  Env env = h.env();
  Value a = h.vm.Run(*program, env);
  Value b = other.Run(*program, env);
  EXPECT_EQ(a.str(), "abc");
  EXPECT_EQ(b.str(), "abc");
  EXPECT_NE(a.str().data(), b.str().data());  // each Vm has its own scratch
}

}  // namespace
}  // namespace leadscore::expr
