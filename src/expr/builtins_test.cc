// Tests for every builtin: normal results, null arguments, wrong run-time types, and the table.
#include "expr/builtins.h"

#include <gtest/gtest.h>

#include <set>

#include "expr/test_scope.h"

namespace leadscore::expr {
namespace {

class BuiltinsTest : public ::testing::Test {
 protected:
  BuiltinsTest() {
    h_.Set("n", Value::Number(-2.5));
    h_.Set("s", Value::String("  Hello World \t"));
    h_.Set("b", Value::Bool(true));
    h_.Set("nil", Value::Null());
    h_.Set("email", Value::String("Jean.Dupont@Mail.SOCIÉTÉ.FR"));
    h_.Set("t", Value::Time(1714557600LL * kMicrosPerSecond));  // 2024-05-01T10:00:00Z
    h_.as_of = 1714557600LL * kMicrosPerSecond + 36 * 3600 * kMicrosPerSecond;  // 1.5 days later
  }
  std::string Show(std::string_view text) { return h_.Show(text); }
  Harness h_;
};

TEST_F(BuiltinsTest, TableNamesAreUniqueAndComplete) {
  std::set<std::string_view> names;
  for (const Builtin& b : Builtins()) {
    EXPECT_TRUE(names.insert(b.name).second) << b.name;
    EXPECT_NE(b.fn, nullptr) << b.name;
    EXPECT_TRUE(b.signature.starts_with(b.name)) << b.name;
  }
  for (const char* name :
       {"lower", "upper", "trim", "len", "contains", "starts_with", "ends_with", "matches",
        "domain", "exists", "coalesce", "min", "max", "abs", "days_since", "if"}) {
    EXPECT_TRUE(FindBuiltin(name).has_value()) << name;
  }
  EXPECT_EQ(names.size(), 16u);
  EXPECT_FALSE(FindBuiltin("Lower").has_value());
}

TEST_F(BuiltinsTest, LowerUpper) {
  EXPECT_EQ(Show("lower(\"SOCIÉTÉ\")"), "\"société\"");
  EXPECT_EQ(Show("lower(\"SOCIÉTÉ\") == \"société\""), "true");
  EXPECT_EQ(Show("upper(\"société\")"), "\"SOCIÉTÉ\"");
  EXPECT_EQ(Show("upper(s)"), "\"  HELLO WORLD \t\"");
  EXPECT_EQ(Show("lower(nil)"), "null");
  EXPECT_EQ(Show("upper(n)"), "null");  // wrong run-time type
}

TEST_F(BuiltinsTest, Trim) {
  EXPECT_EQ(Show("trim(s)"), "\"Hello World\"");
  EXPECT_EQ(Show("trim(\"\\n\\t x \\n\")"), "\"x\"");
  EXPECT_EQ(Show("trim(\"   \")"), "\"\"");
  EXPECT_EQ(Show("trim(nil)"), "null");
  EXPECT_EQ(Show("trim(b)"), "null");
}

TEST_F(BuiltinsTest, LenCountsCodePoints) {
  EXPECT_EQ(Show("len(\"société\")"), "7");
  EXPECT_EQ(Show("len(\"\")"), "0");
  EXPECT_EQ(Show("len(nil)"), "null");
  EXPECT_EQ(Show("len(n)"), "null");
}

TEST_F(BuiltinsTest, ContainsStartsEnds) {
  EXPECT_EQ(Show("contains(s, \"World\")"), "true");
  EXPECT_EQ(Show("contains(s, \"world\")"), "false");  // case-sensitive
  EXPECT_EQ(Show("contains(s, \"\")"), "true");
  EXPECT_EQ(Show("starts_with(email, \"Jean\")"), "true");
  EXPECT_EQ(Show("starts_with(email, \"Dupont\")"), "false");
  EXPECT_EQ(Show("ends_with(email, \".FR\")"), "true");
  EXPECT_EQ(Show("ends_with(email, \".fr\")"), "false");
  for (const char* text :
       {"contains(nil, \"a\")", "contains(s, nil)", "starts_with(nil, \"a\")", "ends_with(s, nil)",
        "contains(n, \"a\")", "starts_with(s, b)", "ends_with(n, \"x\")"}) {
    EXPECT_EQ(Show(text), "null") << text;
  }
}

TEST_F(BuiltinsTest, MatchesIsPartialRe2) {
  EXPECT_EQ(Show("matches(s, \"W.rld\")"), "true");
  EXPECT_EQ(Show("matches(s, \"^W\")"), "false");
  EXPECT_EQ(Show("matches(email, \"(?i)société\")"), "true");
  EXPECT_EQ(Show("matches(email, \"\\\\.FR$\")"), "true");
  EXPECT_EQ(Show("matches(nil, \"a\")"), "null");
  EXPECT_EQ(Show("matches(n, \"2\")"), "null");
}

TEST_F(BuiltinsTest, DomainIsLowerCasedTextAfterLastAt) {
  EXPECT_EQ(Show("domain(email)"), "\"mail.société.fr\"");
  EXPECT_EQ(Show("domain(\"a@b@Example.com\")"), "\"example.com\"");
  EXPECT_EQ(Show("domain(\"no-at-sign\")"), "null");
  EXPECT_EQ(Show("domain(\"trailing@\")"), "\"\"");
  EXPECT_EQ(Show("domain(nil)"), "null");
  EXPECT_EQ(Show("domain(n)"), "null");
}

TEST_F(BuiltinsTest, ExistsSeesNull) {
  EXPECT_EQ(Show("exists(nil)"), "false");
  EXPECT_EQ(Show("exists(null)"), "false");
  EXPECT_EQ(Show("exists(n)"), "true");
  EXPECT_EQ(Show("exists(b)"), "true");
  EXPECT_EQ(Show("exists(n / 0)"), "false");
}

TEST_F(BuiltinsTest, CoalesceTakesFirstNonNull) {
  EXPECT_EQ(Show("coalesce(nil, 3)"), "3");
  EXPECT_EQ(Show("coalesce(nil, nil, \"x\")"), "\"x\"");
  EXPECT_EQ(Show("coalesce(n, 3)"), "-2.5");
  EXPECT_EQ(Show("coalesce(nil)"), "null");
  EXPECT_EQ(Show("coalesce(nil, s)"), "\"  Hello World \t\"");  // any type at run time
}

TEST_F(BuiltinsTest, MinMax) {
  EXPECT_EQ(Show("min(3, 1, 2)"), "1");
  EXPECT_EQ(Show("max(3, 1, 2)"), "3");
  EXPECT_EQ(Show("max(n, -3)"), "-2.5");
  EXPECT_EQ(Show("min(\"b\", \"a\")"), "\"a\"");
  EXPECT_EQ(Show("max(t, t - 1d) == t"), "true");
  EXPECT_EQ(Show("min(1, nil)"), "null");
  EXPECT_EQ(Show("max(nil, 1, 2)"), "null");
  EXPECT_EQ(Show("max(n, s)"), "null");  // mixed run-time types
  EXPECT_EQ(Show("min(b, 1)"), "null");  // bool is not ordered
}

TEST_F(BuiltinsTest, Abs) {
  EXPECT_EQ(Show("abs(n)"), "2.5");
  EXPECT_EQ(Show("abs(3)"), "3");
  EXPECT_EQ(Show("abs(nil)"), "null");
  EXPECT_EQ(Show("abs(s)"), "null");
}

TEST_F(BuiltinsTest, DaysSinceAcceptsTimeSecondsAndTimestampText) {
  EXPECT_EQ(Show("days_since(t)"), "1.5");
  EXPECT_EQ(Show("days_since(1714557600)"), "1.5");
  EXPECT_EQ(Show("days_since(\"2024-05-01T10:00:00Z\")"), "1.5");
  EXPECT_EQ(Show("days_since(\"2024-05-03\")"), "-0.08333333333333333");  // 2 hours ahead
  EXPECT_EQ(Show("days_since(\"yesterday\")"), "null");
  EXPECT_EQ(Show("days_since(nil)"), "null");
  EXPECT_EQ(Show("days_since(b)"), "null");
}

TEST_F(BuiltinsTest, IfTakesFirstBranchOnlyWhenExactlyTrue) {
  EXPECT_EQ(Show("if(n < 0, \"neg\", \"pos\")"), "\"neg\"");
  EXPECT_EQ(Show("if(n > 0, \"neg\", \"pos\")"), "\"pos\"");
  EXPECT_EQ(Show("if(nil, 1, 2)"), "2");
  EXPECT_EQ(Show("if(n, 1, 2)"), "2");  // a number is not true
  EXPECT_EQ(Show("if(b, nil, 2)"), "null");
  EXPECT_EQ(Show("if(b, 1, nil)"), "1");
}

}  // namespace
}  // namespace leadscore::expr
