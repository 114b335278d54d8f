#include "service/record_json.h"

#include <gtest/gtest.h>

#include "service/record_input.h"

namespace leadscore::service {
namespace {

TEST(ParseRecordJson, ANumberOutOfRangeIsNullAndListedWithItsKey) {
  std::vector<OutOfRangeNumber> found;
  auto parsed =
      ParseRecordJson(R"({"a": "1e999", "size": 1e999, "x": [-2E+400, 3], "b": 1})", &found);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed.dump(), R"({"a":"1e999","b":1,"size":null,"x":[null,3]})");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].key, "size");
  EXPECT_EQ(found[0].Message(), "the number 1e999 is out of range; using null");
  EXPECT_EQ(found[1].key, "x");
  EXPECT_EQ(found[1].text, "-2E+400");
}

TEST(ParseRecordJson, ANestedNumberIsListedUnderItsDottedPath) {
  std::vector<OutOfRangeNumber> found;
  auto parsed = ParseRecordJson(
      R"({"utm": {"a": [1e999, {"b": 2e999}], "c": 3e999}, "d": 4e999, "e": {}})", &found);
  ASSERT_FALSE(parsed.is_discarded());
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].key, "utm.a");
  EXPECT_EQ(found[1].key, "utm.a.b");
  EXPECT_EQ(found[2].key, "utm.c");
  EXPECT_EQ(found[3].key, "d");
}

TEST(ParseRecordJson, OtherBadJsonStaysBadAndSmallNumbersAreNotTouched) {
  std::vector<OutOfRangeNumber> found;
  EXPECT_TRUE(ParseRecordJson(R"({"a": 1e999,})", &found).is_discarded());
  EXPECT_TRUE(ParseRecordJson(R"({"a": 01})", &found).is_discarded());
  EXPECT_TRUE(found.empty());
  auto tiny = ParseRecordJson(R"({"a": 1e-999, "b": "\"1e999\""})", &found);
  ASSERT_FALSE(tiny.is_discarded());
  EXPECT_EQ(tiny["a"], 0.0);
  EXPECT_TRUE(found.empty());
}

TEST(ParseRecordJson, OrderedKeepsKeysAsTheyCameAndARepeatedKeyAtItsFirstPlace) {
  // As nlohmann's own builder gives it: the first place, the last value, an object whole.
  const std::string text =
      R"({"b":1,"a":{"y":[1,{"k":2,"k":3}],"x":null},"b":{"z":true},"c":"s","a":"t","d":-5})";
  auto parsed = ParseRecordJson<RecordJson>(text, nullptr);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed.dump(), RecordJson::parse(text).dump());
  EXPECT_EQ(parsed.dump(), R"({"b":{"z":true},"a":"t","c":"s","d":-5})");
  auto nested = ParseRecordJson<RecordJson>(R"([{"k":2,"k":3,"j":1},7])", nullptr);
  EXPECT_EQ(nested.dump(), R"([{"k":3,"j":1},7])");
  EXPECT_TRUE(ParseRecordJson<RecordJson>(R"({"a":1} x)", nullptr).is_discarded());
  EXPECT_TRUE(ParseRecordJson<RecordJson>(R"({"a":1,"a":})", nullptr).is_discarded());
}

TEST(ParseRecordJson, RefusesWhatBatchRefusesInALine) {
  EXPECT_TRUE(ParseRecordJson("\xEF\xBB\xBF{\"a\": 1}", nullptr).is_discarded());
  const std::string deep = "{\"a\": " + std::string(128, '[') + std::string(128, ']') + "}";
  EXPECT_TRUE(ParseRecordJson(deep, nullptr).is_discarded());  // 129 levels
  const std::string limit = "{\"a\": " + std::string(127, '[') + std::string(127, ']') + "}";
  EXPECT_FALSE(ParseRecordJson(limit, nullptr).is_discarded());
  EXPECT_FALSE(ParseRecordJson(R"({"a": "[[[[{{{{\"["})", nullptr).is_discarded());
}

TEST(SplitBody, ABodyMayStartWithAByteOrderMarkAsAFileMay) {
  Rejections rejected;
  auto records =
      SplitBody("\xEF\xBB\xBF{\"lead_id\": \"A\"}\n\xEF\xBB\xBF{\"lead_id\": \"B\"}\n", rejected);
  ASSERT_TRUE(records.has_value()) << records.error().message();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0]["lead_id"], "A");
  ASSERT_EQ(rejected.size(), 1u);  // the second line's mark is not at the body's start
  EXPECT_EQ(rejected[0].index, 1u);
}

TEST(SplitBody, ALeadWithANumberOutOfRangeIsKept) {
  Rejections rejected;
  auto records = SplitBody("{\"lead_id\": \"A\", \"n\": 1e999}\n{\"lead_id\": \"B\"}\n", rejected);
  ASSERT_TRUE(records.has_value()) << records.error().message();
  EXPECT_TRUE(rejected.empty());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_TRUE((*records)[0]["n"].is_null());
}

}  // namespace
}  // namespace leadscore::service
