// convert.h: the decimal grammar, booleans, CSV cell inference and ConvertTo's table.
#include "ingest/convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace leadscore::ingest {
namespace {

TEST(ParseDecimal, AcceptsDecimalForms) {
  EXPECT_EQ(ParseDecimal("12"), 12.0);
  EXPECT_EQ(ParseDecimal("-0.5"), -0.5);
  EXPECT_EQ(ParseDecimal("+3"), 3.0);
  EXPECT_EQ(ParseDecimal(".5"), 0.5);
  EXPECT_EQ(ParseDecimal("5."), 5.0);
  EXPECT_EQ(ParseDecimal("1e5"), 1e5);
  EXPECT_EQ(ParseDecimal("1E-3"), 1e-3);
  EXPECT_EQ(ParseDecimal("2.5e+2"), 250.0);
  EXPECT_EQ(ParseDecimal("007"), 7.0);
  EXPECT_EQ(ParseDecimal("7.50E-05"), 7.5e-05);
  EXPECT_EQ(ParseDecimal("0.1"), 0.1);  // correctly rounded
  auto negative_zero = ParseDecimal("-0");
  ASSERT_TRUE(negative_zero.has_value());
  EXPECT_EQ(*negative_zero, 0.0);
  EXPECT_TRUE(std::signbit(*negative_zero));
}

TEST(ParseDecimal, UnderflowReadsAsZero) { EXPECT_EQ(ParseDecimal("1e-400"), 0.0); }

TEST(ParseDecimal, RejectsEverythingElse) {
  for (const char* text :
       {"",       " ",     "-",   "+",    ".",     "e5",        "1e",       "1e+", "1e999",
        "-1e999", "0x10",  "inf", "-inf", "nan",   "NaN",       "Infinity", " 1",  "1 ",
        "1,5",    "1.2.3", "--1", "+-1",  "1e5.0", "5e1234567", "12a",      "١"}) {
    EXPECT_EQ(ParseDecimal(text), std::nullopt) << text;
  }
}

TEST(ParseBool, AcceptsTheDocumentedWordsInAnyCase) {
  for (const char* text : {"true", "TRUE", "True", "yes", "Yes", "y", "T", "1"}) {
    EXPECT_EQ(ParseBool(text), true) << text;
  }
  for (const char* text : {"false", "FALSE", "False", "no", "NO", "n", "f", "0"}) {
    EXPECT_EQ(ParseBool(text), false) << text;
  }
  for (const char* text : {"", "2", "yess", "truee", " true", "on", "off"}) {
    EXPECT_EQ(ParseBool(text), std::nullopt) << text;
  }
}

TEST(InferCsvCell, NumbersWhenTheWholeCellIsAFiniteDecimal) {
  EXPECT_TRUE(InferCsvCell("12.5").SameAs(Value::Number(12.5)));
  EXPECT_TRUE(InferCsvCell("1e5").SameAs(Value::Number(1e5)));
  EXPECT_TRUE(InferCsvCell("5e1234567").SameAs(Value::String("5e1234567")));
  EXPECT_TRUE(InferCsvCell("4e2a9b").SameAs(Value::String("4e2a9b")));
  EXPECT_TRUE(InferCsvCell(" 1").SameAs(Value::String(" 1")));
  EXPECT_TRUE(InferCsvCell("1,5").SameAs(Value::String("1,5")));
  EXPECT_TRUE(InferCsvCell("TRUE").SameAs(Value::String("TRUE")));
  EXPECT_TRUE(InferCsvCell("").is_null());
}

TEST(ConvertTo, NullStaysNull) {
  std::string scratch;
  for (ValueType type :
       {ValueType::kNumber, ValueType::kString, ValueType::kBool, ValueType::kTime}) {
    auto out = ConvertTo(Value::Null(), type, scratch);
    ASSERT_TRUE(out.has_value());
    EXPECT_TRUE(out->is_null());
  }
}

TEST(ConvertTo, Number) {
  std::string scratch;
  EXPECT_TRUE(ConvertTo(Value::Number(3), ValueType::kNumber, scratch)->SameAs(Value::Number(3)));
  EXPECT_TRUE(
      ConvertTo(Value::String(" 2.5 "), ValueType::kNumber, scratch)->SameAs(Value::Number(2.5)));
  EXPECT_EQ(ConvertTo(Value::String("2,5"), ValueType::kNumber, scratch), std::nullopt);
  EXPECT_TRUE(
      ConvertTo(Value::String("\t2 \t"), ValueType::kNumber, scratch)->SameAs(Value::Number(2)));
  EXPECT_EQ(ConvertTo(Value::String("\n2"), ValueType::kNumber, scratch), std::nullopt);
  EXPECT_EQ(ConvertTo(Value::Bool(true), ValueType::kNumber, scratch), std::nullopt);
  EXPECT_EQ(ConvertTo(Value::Time(0), ValueType::kNumber, scratch), std::nullopt);
}

TEST(ConvertTo, String) {
  std::string scratch;
  EXPECT_TRUE(
      ConvertTo(Value::String("x"), ValueType::kString, scratch)->SameAs(Value::String("x")));
  auto number = ConvertTo(Value::Number(12345), ValueType::kString, scratch);
  EXPECT_EQ(number->str(), "12345");
  EXPECT_EQ(number->str().data(), scratch.data());
  EXPECT_EQ(ConvertTo(Value::Number(2.5), ValueType::kString, scratch)->str(), "2.5");
  EXPECT_EQ(ConvertTo(Value::Bool(true), ValueType::kString, scratch)->str(), "true");
  EXPECT_EQ(ConvertTo(Value::Bool(false), ValueType::kString, scratch)->str(), "false");
  EXPECT_EQ(
      ConvertTo(Value::Time(1714557600LL * kMicrosPerSecond), ValueType::kString, scratch)->str(),
      "2024-05-01T10:00:00Z");
}

TEST(ConvertTo, Bool) {
  std::string scratch;
  EXPECT_TRUE(ConvertTo(Value::Bool(false), ValueType::kBool, scratch)->SameAs(Value::Bool(false)));
  EXPECT_TRUE(
      ConvertTo(Value::String("Yes"), ValueType::kBool, scratch)->SameAs(Value::Bool(true)));
  EXPECT_TRUE(
      ConvertTo(Value::String(" no "), ValueType::kBool, scratch)->SameAs(Value::Bool(false)));
  EXPECT_TRUE(ConvertTo(Value::Number(1), ValueType::kBool, scratch)->SameAs(Value::Bool(true)));
  EXPECT_TRUE(ConvertTo(Value::Number(0), ValueType::kBool, scratch)->SameAs(Value::Bool(false)));
  EXPECT_EQ(ConvertTo(Value::Number(2), ValueType::kBool, scratch), std::nullopt);
  EXPECT_EQ(ConvertTo(Value::String("maybe"), ValueType::kBool, scratch), std::nullopt);
  EXPECT_EQ(ConvertTo(Value::Time(0), ValueType::kBool, scratch), std::nullopt);
}

TEST(ConvertTo, Time) {
  std::string scratch;
  const Timestamp t = 1714557600LL * kMicrosPerSecond;
  EXPECT_TRUE(ConvertTo(Value::Time(t), ValueType::kTime, scratch)->SameAs(Value::Time(t)));
  EXPECT_TRUE(
      ConvertTo(Value::Number(1714557600), ValueType::kTime, scratch)->SameAs(Value::Time(t)));
  EXPECT_TRUE(ConvertTo(Value::String("2024-05-01T12:00:00+02:00"), ValueType::kTime, scratch)
                  ->SameAs(Value::Time(t)));
  EXPECT_TRUE(
      ConvertTo(Value::String("1714557600"), ValueType::kTime, scratch)->SameAs(Value::Time(t)));
  EXPECT_TRUE(ConvertTo(Value::String(" 2024-05-01T10:00:00Z "), ValueType::kTime, scratch)
                  ->SameAs(Value::Time(t)));
  EXPECT_EQ(ConvertTo(Value::String("yesterday"), ValueType::kTime, scratch), std::nullopt);
  EXPECT_EQ(ConvertTo(Value::Number(1e300), ValueType::kTime, scratch), std::nullopt);
  EXPECT_EQ(ConvertTo(Value::Bool(true), ValueType::kTime, scratch), std::nullopt);
}

}  // namespace
}  // namespace leadscore::ingest
