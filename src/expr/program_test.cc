// Tests for Program, ValueSet and Disassemble.
#include "expr/program.h"

#include <gtest/gtest.h>

#include "expr/test_scope.h"

namespace leadscore::expr {
namespace {

TEST(ValueSet, SmallStringListScans) {
  std::vector<Value> items = {Value::String("a"), Value::Null(), Value::String("b")};
  ValueSet set(items);
  EXPECT_EQ(set.item_type(), ValueType::kString);
  EXPECT_TRUE(set.has_null());
  EXPECT_EQ(set.items().size(), 2u);
  EXPECT_TRUE(set.Contains(Value::String("b")));
  EXPECT_FALSE(set.Contains(Value::String("c")));
}

TEST(ValueSet, LargeStringListHashes) {
  std::vector<std::string> words;
  for (int i = 0; i < 50; ++i) words.push_back("domain" + std::to_string(i) + ".com");
  std::vector<Value> items;
  for (const std::string& w : words) items.push_back(Value::String(w));
  ValueSet set(items);
  for (const std::string& w : words) EXPECT_TRUE(set.Contains(Value::String(w))) << w;
  EXPECT_FALSE(set.Contains(Value::String("domain50.com")));
  EXPECT_FALSE(set.has_null());
}

TEST(ValueSet, NumbersBoolsTimes) {
  std::vector<Value> numbers = {Value::Number(0), Value::Number(2.5)};
  EXPECT_TRUE(ValueSet(numbers).Contains(Value::Number(-0.0)));
  EXPECT_FALSE(ValueSet(numbers).Contains(Value::Number(1)));
  std::vector<Value> bools = {Value::Bool(false)};
  EXPECT_TRUE(ValueSet(bools).Contains(Value::Bool(false)));
  EXPECT_FALSE(ValueSet(bools).Contains(Value::Bool(true)));
  std::vector<Value> times = {Value::Time(7)};
  EXPECT_TRUE(ValueSet(times).Contains(Value::Time(7)));
  std::vector<Value> none;
  EXPECT_EQ(ValueSet(none).item_type(), ValueType::kNull);
}

TEST(Program, AddConstantCopiesStringBytes) {
  Program program("x");
  std::string temp = "short";
  uint32_t i = program.AddConstant(Value::String(temp));
  for (int k = 0; k < 100; ++k) program.AddConstant(Value::String(std::to_string(k)));
  temp = "XXXXX";
  EXPECT_EQ(program.constant(i).str(), "short");
  EXPECT_EQ(program.constant(100).str(), "99");
}

TEST(Program, OpNamesAreDistinct) {
  EXPECT_EQ(OpName(Op::kInSet), "InSet");
  EXPECT_EQ(OpName(Op::kNotInSet), "NotInSet");
  EXPECT_EQ(OpName(Op::kReturn), "Return");
}

TEST(Disassemble, ListsOneInstructionPerLine) {
  TestScope scope;
  scope.Field("company_size", Type::kNumber).List("free", {Value::String("gmail.com")});
  auto program = Compile(
      "company_size between 10 and 100 and domain(email) not in @free or "
      "matches(url, \"^/pricing\")",
      scope);
  ASSERT_TRUE(program.has_value()) << program.error().message;
  std::string text = Disassemble(**program);
  EXPECT_NE(text.find("; company_size between 10"), std::string::npos) << text;
  EXPECT_NE(text.find("; result: bool, stack: 3"), std::string::npos) << text;
  EXPECT_NE(text.find("0000  LoadLead     0"), std::string::npos) << text;
  EXPECT_NE(text.find("; company_size"), std::string::npos) << text;
  EXPECT_NE(text.find("Between"), std::string::npos) << text;
  EXPECT_NE(text.find("JumpIfFalse  -> "), std::string::npos) << text;
  EXPECT_NE(text.find("Call         domain/1"), std::string::npos) << text;
  EXPECT_NE(text.find("NotInSet     0"), std::string::npos) << text;
  EXPECT_NE(text.find("; @free [\"gmail.com\"]"), std::string::npos) << text;
  EXPECT_NE(text.find("; regex /^/pricing/"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("Return\n")) << text;
  size_t lines = std::count(text.begin(), text.end(), '\n');
  EXPECT_EQ(lines, (*program)->code().size() + 2);  // two header lines
}

TEST(Disassemble, AbbreviatesLongLists) {
  TestScope scope;
  auto program = Compile("x in [1, 2, 3, 4, 5, 6, 7, null]", scope);
  ASSERT_TRUE(program.has_value());
  std::string text = Disassemble(**program);
  EXPECT_NE(text.find("[1, 2, 3, 4, 5, null, ... (2 more)]"), std::string::npos) << text;
}

}  // namespace
}  // namespace leadscore::expr
