#include "service/event_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leadscore::service {
namespace {

std::vector<std::string> Split(std::string_view body, Rejections& rejected) {
  auto objects = SplitObjects(body, rejected);
  EXPECT_TRUE(objects.has_value()) << objects.error().message();
  return objects.has_value() ? *objects : std::vector<std::string>{};
}

TEST(SplitObjects, ReadsAnArrayNdjsonAndOneObjectSpanningLines) {
  Rejections rejected;
  EXPECT_EQ(Split("[ {\"a\": 1},\n {\"b\":\n \"x y\"} ]", rejected),
            (std::vector<std::string>{R"({"a": 1})", "{\"b\":\n \"x y\"}"}));
  EXPECT_EQ(Split("{\"a\":1}\n\n  \r\n{\"b\":2}\r\n", rejected),
            (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}\r"}));
  EXPECT_EQ(Split("{\n  \"a\": 1,\n  \"b\": {\"c\": [1, 2]}\n}\n", rejected),
            (std::vector<std::string>{"{\n  \"a\": 1,\n  \"b\": {\"c\": [1, 2]}\n}"}));
  EXPECT_TRUE(rejected.empty());
}

TEST(SplitObjects, AnElementThatIsNotAnObjectIsRejectedAlone) {
  Rejections rejected;
  auto objects = Split(R"([{"a":1}, "text", [1, [2]], 3, {"b":2}])", rejected);
  EXPECT_EQ(objects, (std::vector<std::string>{R"({"a":1})", "", "", "", R"({"b":2})"}));
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_EQ(rejected[0].index, 1u);
  EXPECT_EQ(rejected[1].index, 2u);
  EXPECT_EQ(rejected[2].index, 3u);
  EXPECT_EQ(rejected[0].message, "not a JSON object");
}

TEST(SplitObjects, FailsOnABodyThatHoldsNoRecords) {
  Rejections rejected;
  EXPECT_FALSE(SplitObjects("", rejected).has_value());
  EXPECT_FALSE(SplitObjects(" \n\t", rejected).has_value());
  EXPECT_FALSE(SplitObjects("[]", rejected).has_value());
  EXPECT_FALSE(SplitObjects(R"([{"a": 1}, )", rejected).has_value());
  EXPECT_FALSE(SplitObjects(R"([{"a": 1}] [])", rejected).has_value());
  EXPECT_FALSE(SplitObjects("42", rejected).has_value());
}

TEST(EventReader, ReadsTheReservedFieldsAsBatchScoringDoes) {
  EventReader reader;
  Rejections rejected;
  EventInput e;
  ASSERT_TRUE(reader.Read(R"({"lead_id": 42, "type":"page_view", "ts":1746057600, "event_id":7,)"
                          R"( "url": "/a b"})",
                          3, e, rejected));
  EXPECT_EQ(e.index, 3u);
  EXPECT_EQ(e.lead_id, "42");
  EXPECT_EQ(e.type, "page_view");
  EXPECT_EQ(e.event_id, "7");
  EXPECT_EQ(e.ts, int64_t{1746057600} * 1000000);
  // Minified, keys in the order they came.
  EXPECT_EQ(e.body,
            R"({"lead_id":42,"type":"page_view","ts":1746057600,"event_id":7,"url":"/a b"})");
  EXPECT_TRUE(rejected.empty());
}

// SCORING.md dedupes by a non-empty event_id; anything else is no id, and the event counts, as
// in batch scoring.
TEST(EventReader, AnEventIdThatIsNoIdLeavesTheEventWithoutOne) {
  EventReader reader;
  for (const char* event_id : {R"("")", "true", "false", "null", R"({"a":1})", "[1]"}) {
    Rejections rejected;
    EventInput e;
    e.event_id = "stale";
    const std::string text =
        std::string(R"({"lead_id":"a","type":"x","ts":1,"event_id":)") + event_id + "}";
    ASSERT_TRUE(reader.Read(text, 0, e, rejected)) << text;
    EXPECT_EQ(e.event_id, "") << text;
    EXPECT_TRUE(rejected.empty()) << text;
  }
}

TEST(EventReader, AnObjectSpanningLinesIsStoredOnOneLine) {
  EventReader reader;
  Rejections rejected;
  EventInput e;
  ASSERT_TRUE(
      reader.Read("{\n  \"lead_id\": \"a\",\r\n  \"type\": \"page_view\",\n  \"ts\": 1,"
                  "\n  \"title\": \"Head of IT\"\n}",
                  0, e, rejected));
  EXPECT_EQ(e.body, R"({"lead_id":"a","type":"page_view","ts":1,"title":"Head of IT"})");
  EXPECT_TRUE(rejected.empty());
}

TEST(EventReader, ARepeatedKeyKeepsItsLastValue) {
  EventReader reader;
  Rejections rejected;
  EventInput e;
  ASSERT_TRUE(reader.Read(
      R"({"lead_id":"a","type":"page_view","type":"demo_booked","ts":"2025-05-01T00:00:00Z"})", 0,
      e, rejected));
  EXPECT_EQ(e.type, "demo_booked");
}

// A property out of a double's range is still JSON: the event is stored as written, and what
// the number means is settled where it is read (null, reported, in jsonl_parser.h).
TEST(EventReader, KeepsAPropertyOutOfDoubleRangeAsWritten) {
  EventReader reader;
  Rejections rejected;
  EventInput e;
  ASSERT_TRUE(reader.Read(R"({"lead_id":"a","type":"x","ts":1,"amount":1e999})", 0, e, rejected));
  EXPECT_EQ(e.body, R"({"lead_id":"a","type":"x","ts":1,"amount":1e999})");
  EXPECT_TRUE(rejected.empty());
}

TEST(EventReader, RejectsWithTheFieldAndReason) {
  struct Case {
    std::string text, field, reason_part;
  };
  const std::vector<Case> cases = {
      {R"({"type":"x","ts":"2025-05-01T00:00:00Z"})", "lead_id", "missing lead_id"},
      {R"({"lead_id":"","type":"x","ts":"2025-05-01T00:00:00Z"})", "lead_id", "missing lead_id"},
      {R"({"lead_id":"a","ts":"2025-05-01T00:00:00Z"})", "type", "missing event type"},
      {R"({"lead_id":"a","type":"x"})", "ts", "missing ts"},
      {R"({"lead_id":"a","type":"x","ts":"yesterday"})", "ts", "cannot parse \"yesterday\""},
      {R"({"lead_id":{"a":1},"type":"x","ts":1})", "lead_id",
       "lead_id must be a string or a number, not an object"},
      {R"({"lead_id":["a"],"type":"x","ts":1})", "lead_id", "not an array"},
      {R"({"lead_id":true,"type":"x","ts":1})", "lead_id", "not true"},
      {R"({"lead_id":"a","type":[],"ts":1})", "type",
       "event type must be a string or a number, not an array"},
      {R"({"lead_id":"a","type":"x","ts":1)", "", "invalid JSON"},
      {R"({"lead_id":"a","type":"x","ts":1,"note":"bad \q escape"})", "", "invalid JSON"},
      {R"(["lead_id"])", "", "not a JSON object"},
      {"{\"lead_id\":\"a\n\",\"type\":\"x\",\"ts\":1}", "", "invalid JSON"},
      // JSON, but out of a double's range: the reason, not "missing".
      {R"({"lead_id":1e999,"type":"x","ts":1})", "lead_id", "the number 1e999 is out of range"},
      {R"({"lead_id":"a","type":-1e400,"ts":1})", "type", "the number -1e400 is out of range"},
      {R"({"lead_id":"a","type":"x","ts":1e999})", "ts", "the number 1e999 is out of range"},
      {R"({"lead_id":"a","type":"x","ts":1,"n":1e})", "", "invalid JSON"},
  };
  EventReader reader;
  for (size_t i = 0; i < cases.size(); ++i) {
    Rejections rejected;
    EventInput e;
    EXPECT_FALSE(reader.Read(cases[i].text, i, e, rejected)) << cases[i].text;
    ASSERT_EQ(rejected.size(), 1u) << cases[i].text;
    EXPECT_EQ(rejected[0].index, i);
    EXPECT_EQ(rejected[0].field, cases[i].field) << cases[i].text;
    EXPECT_NE(rejected[0].message.find(cases[i].reason_part), std::string::npos)
        << cases[i].text << ": " << rejected[0].message;
  }
}

}  // namespace
}  // namespace leadscore::service
