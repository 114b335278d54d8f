// Tests for the Vm: every operator's null and run-time type rules, three-valued logic, in /
// not in / between, time arithmetic, absent slots, and no allocation in the steady state.
#include "expr/vm.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "expr/test_scope.h"

// Counts heap allocations while `g_counting` is set (see NoAllocationInSteadyState).
namespace {
std::atomic<bool> g_counting{false};
std::atomic<size_t> g_allocations{0};
}  // namespace

void* operator new(size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// GCC 12 takes the std::free of a replaced operator delete for a mismatch with the operator new
// it was inlined beside; both sides are this file's malloc and free.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace leadscore::expr {
namespace {

constexpr Timestamp kDay = kMicrosPerDay;

class VmTest : public ::testing::Test {
 protected:
  VmTest() {
    h_.Set("n", Value::Number(5));
    h_.Set("s", Value::String("abc"));
    h_.Set("b", Value::Bool(true));
    h_.Set("f", Value::Bool(false));
    h_.Set("t", Value::Time(10 * kDay));
    h_.Set("nil", Value::Null());
  }
  std::string Show(std::string_view text) { return h_.Show(text); }
  Harness h_;
};

TEST_F(VmTest, AndTruthTableWithNull) {
  EXPECT_EQ(Show("true and true"), "true");
  EXPECT_EQ(Show("true and false"), "false");
  EXPECT_EQ(Show("false and true"), "false");
  EXPECT_EQ(Show("false and false"), "false");
  EXPECT_EQ(Show("true and null"), "null");
  EXPECT_EQ(Show("null and true"), "null");
  EXPECT_EQ(Show("false and null"), "false");
  EXPECT_EQ(Show("null and false"), "false");
  EXPECT_EQ(Show("null and null"), "null");
}

TEST_F(VmTest, OrTruthTableWithNull) {
  EXPECT_EQ(Show("true or true"), "true");
  EXPECT_EQ(Show("true or false"), "true");
  EXPECT_EQ(Show("false or true"), "true");
  EXPECT_EQ(Show("false or false"), "false");
  EXPECT_EQ(Show("true or null"), "true");
  EXPECT_EQ(Show("null or true"), "true");
  EXPECT_EQ(Show("false or null"), "null");
  EXPECT_EQ(Show("null or false"), "null");
  EXPECT_EQ(Show("null or null"), "null");
}

TEST_F(VmTest, NotWithNull) {
  EXPECT_EQ(Show("not true"), "false");
  EXPECT_EQ(Show("not false"), "true");
  EXPECT_EQ(Show("not null"), "null");
  EXPECT_EQ(Show("not nil"), "null");
}

TEST_F(VmTest, LogicTreatsNonBoolRunTimeValuesAsNull) {
  EXPECT_EQ(Show("n and true"), "null");  // n is kAny holding 5
  EXPECT_EQ(Show("n and false"), "false");
  EXPECT_EQ(Show("s or true"), "true");
  EXPECT_EQ(Show("s or false"), "null");
  EXPECT_EQ(Show("not s"), "null");
  EXPECT_EQ(Show("true and n"), "null");
}

TEST_F(VmTest, AndOrShortCircuitKeepsTheDecidingValue) {
  EXPECT_EQ(Show("f and n / 0 == 1"), "false");
  EXPECT_EQ(Show("b or n / 0 == 1"), "true");
  EXPECT_EQ(Show("(b and f) or (f and b)"), "false");
  EXPECT_EQ(Show("b and b and b and f"), "false");
  EXPECT_EQ(Show("f or f or b"), "true");
}

TEST_F(VmTest, Arithmetic) {
  EXPECT_EQ(Show("n + 2 * 3"), "11");
  EXPECT_EQ(Show("(n + 2) * 3"), "21");
  EXPECT_EQ(Show("n - 7"), "-2");
  EXPECT_EQ(Show("n / 2"), "2.5");
  EXPECT_EQ(Show("-n"), "-5");
  EXPECT_EQ(Show("- -n"), "5");
  EXPECT_EQ(Show("7d / 1d"), "7");
  EXPECT_EQ(Show("1.5h"), "5400");
}

TEST_F(VmTest, ArithmeticWithNullIsNull) {
  for (const char* text : {"nil + 1", "1 - nil", "nil * 2", "2 / nil", "-nil", "null + null"}) {
    EXPECT_EQ(Show(text), "null") << text;
  }
}

TEST_F(VmTest, ArithmeticOnWrongRunTimeTypesIsNull) {
  for (const char* text : {"s + 1", "1 - s", "b * 2", "2 / s", "-s", "-b", "t * 2", "t + t"}) {
    EXPECT_EQ(Show(text), "null") << text;
  }
}

TEST_F(VmTest, DivisionByZeroIsNull) {
  EXPECT_EQ(Show("n / 0"), "null");
  EXPECT_EQ(Show("0 / 0"), "null");
  EXPECT_EQ(Show("n / (n - 5)"), "null");
}

TEST_F(VmTest, NaNAndInfinityBecomeNull) {
  h_.Set("big", Value::Number(1e308));
  EXPECT_EQ(Show("big * 10 - big * 10"), "null");
  EXPECT_EQ(Show("big * 10"), "null");  // an overflow, printed `inf`, which is not JSON
  EXPECT_EQ(Show("-big - big"), "null");
  EXPECT_EQ(Show("exists(big + big)"), "false");
  EXPECT_EQ(Show("1 / (1 / big / big)"), "null");  // 1 / 0: the quotient underflowed
  EXPECT_EQ(Show("big + 1"), "1e+308");
}

TEST_F(VmTest, TimeArithmetic) {
  EXPECT_EQ(Show("t + 1d"), "1970-01-12T00:00:00Z");
  EXPECT_EQ(Show("1d + t"), "1970-01-12T00:00:00Z");
  EXPECT_EQ(Show("t - 36h"), "1970-01-09T12:00:00Z");
  EXPECT_EQ(Show("t - (t - 2d)"), "172800");  // time - time = seconds
  EXPECT_EQ(Show("t - 1 > t - 2"), "true");
  EXPECT_EQ(Show("t + 0.5"), "1970-01-11T00:00:00.500000Z");
  EXPECT_EQ(Show("t + 1e300"), "null");  // out of range
}

TEST_F(VmTest, ComparisonsOfEachType) {
  EXPECT_EQ(Show("n == 5"), "true");
  EXPECT_EQ(Show("n != 5"), "false");
  EXPECT_EQ(Show("n < 6"), "true");
  EXPECT_EQ(Show("n <= 5"), "true");
  EXPECT_EQ(Show("n > 5"), "false");
  EXPECT_EQ(Show("n >= 6"), "false");
  EXPECT_EQ(Show("s == \"abc\""), "true");
  EXPECT_EQ(Show("s == \"ABC\""), "false");  // case-sensitive
  EXPECT_EQ(Show("s < \"abd\""), "true");
  EXPECT_EQ(Show("\"Z\" < \"a\""), "true");  // byte-wise
  EXPECT_EQ(Show("\"é\" > \"z\""), "true");  // bytes compare unsigned
  EXPECT_EQ(Show("b == true"), "true");
  EXPECT_EQ(Show("b != f"), "true");
  EXPECT_EQ(Show("t < t + 1"), "true");
  EXPECT_EQ(Show("t == t"), "true");
}

TEST_F(VmTest, ComparisonWithNullIsNull) {
  for (const char* text :
       {"nil == 1", "nil != 1", "1 < nil", "nil <= nil", "null == null", "s > nil", "nil >= t"}) {
    EXPECT_EQ(Show(text), "null") << text;
  }
}

TEST_F(VmTest, ComparingDifferentRunTimeTypesIsNull) {
  for (const char* text : {"n == s", "n != s", "n < s", "s >= b", "t == n", "b < b"}) {
    EXPECT_EQ(Show(text), "null") << text;
  }
}

TEST_F(VmTest, InFollowsSql) {
  EXPECT_EQ(Show("s in [\"x\", \"abc\"]"), "true");
  EXPECT_EQ(Show("s in [\"x\", \"y\"]"), "false");
  EXPECT_EQ(Show("s in [\"x\", null]"), "null");    // no match, list holds null
  EXPECT_EQ(Show("s in [\"abc\", null]"), "true");  // a match wins
  EXPECT_EQ(Show("nil in [\"x\"]"), "null");
  EXPECT_EQ(Show("n in [\"x\"]"), "null");  // elements of another type
  EXPECT_EQ(Show("n in [4, 5, 6]"), "true");
  EXPECT_EQ(Show("n in [-5, 7d]"), "false");
  EXPECT_EQ(Show("-5 in [-5]"), "true");
  EXPECT_EQ(Show("b in [true]"), "true");
  EXPECT_EQ(Show("n in []"), "false");
  EXPECT_EQ(Show("nil in []"), "null");
  EXPECT_EQ(Show("n in [null]"), "null");
}

TEST_F(VmTest, NotInIsNotOfIn) {
  EXPECT_EQ(Show("s not in [\"x\", \"abc\"]"), "false");
  EXPECT_EQ(Show("s not in [\"x\", \"y\"]"), "true");
  EXPECT_EQ(Show("s not in [\"x\", null]"), "null");
  EXPECT_EQ(Show("nil not in [\"x\"]"), "null");
  EXPECT_EQ(Show("n not in [\"x\"]"), "null");
  EXPECT_EQ(Show("n not in []"), "true");
}

TEST_F(VmTest, InNamedListAndTimes) {
  h_.scope.List("days", {Value::Time(10 * kDay), Value::Time(11 * kDay)});
  EXPECT_EQ(Show("t in @days"), "true");
  EXPECT_EQ(Show("t + 2d in @days"), "false");
}

TEST_F(VmTest, InLargeListUsesTheHashSetAndAgreesWithScan) {
  std::vector<Value> many;
  std::vector<std::string> words;
  for (int i = 0; i < 100; ++i) words.push_back(std::string("w").append(std::to_string(i)));
  for (const std::string& w : words) many.push_back(Value::String(w));
  h_.scope.List("many", many);
  h_.Set("w", Value::String("w42"));
  EXPECT_EQ(Show("w in @many"), "true");
  h_.Set("w", Value::String("w100"));
  EXPECT_EQ(Show("w in @many"), "false");
  EXPECT_EQ(Show("w not in @many"), "true");
}

TEST_F(VmTest, BetweenIsInclusive) {
  EXPECT_EQ(Show("n between 5 and 10"), "true");
  EXPECT_EQ(Show("n between 1 and 5"), "true");
  EXPECT_EQ(Show("n between 6 and 10"), "false");
  EXPECT_EQ(Show("n between 10 and 1"), "false");
  EXPECT_EQ(Show("s between \"a\" and \"b\""), "true");
  EXPECT_EQ(Show("t between t - 1d and t"), "true");
  EXPECT_EQ(Show("not n between 6 and 10"), "true");
}

TEST_F(VmTest, BetweenWithNullOrMixedTypesIsNull) {
  for (const char* text : {"nil between 1 and 2", "n between nil and 10", "n between 1 and nil",
                           "n between 1 and s", "s between 1 and 10", "b between f and b"}) {
    EXPECT_EQ(Show(text), "null") << text;
  }
}

TEST_F(VmTest, AbsentSlotsReadAsNull) {
  auto program = h_.Build("zzz == 1 or lead.qqq == 2");
  ASSERT_NE(program, nullptr);
  Env empty;
  EXPECT_TRUE(h_.vm.Run(*program, empty).is_null());
}

TEST_F(VmTest, ReadsEachSource) {
  h_.scope.Field("url", Type::kString, Source::kEvent)
      .Field("fit", Type::kNumber, Source::kComputed);
  h_.Set("url", Value::String("/pricing"));
  h_.Set("fit", Value::Number(40));
  h_.Set("country", Value::String("FR"), /*lead_prefixed=*/true);
  EXPECT_EQ(Show("url == \"/pricing\" and fit >= 40 and lead.country == \"FR\""), "true");
}

TEST_F(VmTest, ResultStringsSurviveUntilNextRun) {
  h_.Set("mail", Value::String("Ann@Example.COM"));
  auto program = h_.Build("if(true, lower(mail), upper(mail))");
  ASSERT_NE(program, nullptr);
  Value v = h_.vm.Run(*program, h_.env());
  EXPECT_EQ(v.str(), "ann@example.com");
  EXPECT_EQ(Show("lower(mail) == lower(\"ANN@example.com\")"), "true");  // two scratch buffers
}

TEST_F(VmTest, NoAllocationInSteadyState) {
  h_.Set("mail", Value::String("Jean.Dupont@SOCIÉTÉ.fr"));
  auto program = h_.Build(
      "lower(trim(mail)) != upper(mail) and domain(mail) not in [\"gmail.com\", \"a\", \"b\", "
      "\"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\"] and len(mail) between 3 and 100 and "
      "matches(mail, \"@[A-ZÉ]+\\\\.fr$\") and coalesce(nil, n) + 1 > 0 and days_since(t) > 0");
  ASSERT_NE(program, nullptr);
  Env env = h_.env();
  env.as_of = 20 * kDay;
  EXPECT_TRUE(h_.vm.Run(*program, env).is_true());  // warm-up sizes the stack and scratch
  g_allocations = 0;
  g_counting = true;
  std::string probe(100, 'x');  // proves the counter sees allocations
  g_counting = false;
  ASSERT_GE(g_allocations.load(), 1u) << probe;
  g_allocations = 0;
  g_counting = true;
  Value last;
  for (int i = 0; i < 100; ++i) last = h_.vm.Run(*program, env);
  g_counting = false;
  EXPECT_TRUE(last.is_true());
  EXPECT_EQ(g_allocations.load(), 0u);
}

TEST_F(VmTest, OneVmRunsManyPrograms) {
  auto a = h_.Build("lower(s)");
  auto b = h_.Build("n + 1");
  ASSERT_TRUE(a && b);
  Env env = h_.env();
  EXPECT_EQ(h_.vm.Run(*a, env).str(), "abc");
  EXPECT_EQ(h_.vm.Run(*b, env).number(), 6);
  EXPECT_EQ(h_.vm.Run(*a, env).str(), "abc");
}

}  // namespace
}  // namespace leadscore::expr
