#include "core/value.h"

#include <gtest/gtest.h>

namespace leadscore {
namespace {

TEST(Value, TypesAndTruth) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_TRUE(Value::Bool(true).is_true());
  EXPECT_FALSE(Value::Bool(false).is_true());
  EXPECT_FALSE(Value::Number(1).is_true());
  EXPECT_EQ(Value::String("abc").str(), "abc");
}

TEST(Value, SameAsComparesTypeAndContent) {
  EXPECT_TRUE(Value::String("a").SameAs(Value::String("a")));
  EXPECT_FALSE(Value::String("1").SameAs(Value::Number(1)));
  EXPECT_TRUE(Value().SameAs(Value()));
}

TEST(Value, FormatsNumbersShortest) {
  EXPECT_EQ(FormatNumber(10), "10");
  EXPECT_EQ(FormatNumber(2.5), "2.5");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(0.1), "0.1");
  EXPECT_EQ(FormatNumber(900000), "900000");  // not 9e+05: a JSON id 900000 is "900000"
  EXPECT_EQ(FormatNumber(-1234567890123), "-1234567890123");
  EXPECT_EQ(FormatNumber(1e21), "1e+21");
  EXPECT_EQ(Value::String("x").ToString(), "\"x\"");
}

}  // namespace
}  // namespace leadscore
