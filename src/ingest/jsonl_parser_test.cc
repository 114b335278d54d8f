// JsonlParser: the rules of jsonl_parser.h, each case read with block targets from 1 byte to
// 4 MiB, which must all give the same rows.
#include "ingest/jsonl_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"

namespace leadscore::ingest {
namespace {

using ::leadscore::ingest::testing::ErrorsAsText;
using ::leadscore::ingest::testing::ReadAll;
using ::leadscore::ingest::testing::RowsAsText;
using ::leadscore::ingest::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

using ::leadscore::ingest::testing::Parsed;

Parsed ParseJsonl(std::string_view text, const std::vector<std::string>& wanted) {
  return testing::ParseWithEveryBlockSize(text, "in.jsonl", wanted, {1, 7, size_t{4} << 20});
}

TEST(JsonlParser, KeepsJsonTypes) {
  Parsed p = ParseJsonl(R"({"id":"L1","n":12.5,"s":"12.5","b":true,"z":null,"i":-3})"
                        "\n",
                        {"id", "n", "s", "b", "z", "i"});
  EXPECT_THAT(p.rows, ElementsAre("1: \"L1\" | 12.5 | \"12.5\" | true | null | -3"));
  EXPECT_THAT(p.errors, IsEmpty());
}

TEST(JsonlParser, MissingWantedKeysAreNull) {
  Parsed p = ParseJsonl("{\"a\":1}\n{}\n", {"a", "missing"});
  EXPECT_THAT(p.rows, ElementsAre("1: 1 | null", "2: null | null"));
}

TEST(JsonlParser, FlattensNestedObjectsWithDots) {
  Parsed p = ParseJsonl(R"({"utm":{"source":"google","deep":{"x":1}},"other":{"source":"no"}})"
                        "\n",
                        {"utm.source", "utm.deep.x", "utm.medium", "source"});
  EXPECT_THAT(p.rows, ElementsAre("1: \"google\" | 1 | null | null"));
}

TEST(JsonlParser, WantedObjectOrArrayGivesItsJsonText) {
  Parsed p = ParseJsonl(R"({"tags":["a", "b" ,{"c":[1]}] ,"utm":{"source":"x"},"e":[]})"
                        "\n",
                        {"tags", "utm", "utm.source", "e"});
  EXPECT_THAT(p.rows,
              ElementsAre("1: json \"[\"a\", \"b\" ,{\"c\":[1]}]\" | json \"{\"source\":\"x\"}\" | "
                          "\"x\" | json \"[]\""));
}

// Top-level keys are first matched against the key the previous line had at the same position:
// lines whose keys change order, or differ from the last one only in their last byte (at 8 and
// 16 bytes, where the comparison changes words), must still land in their own slots.
TEST(JsonlParser, KeysInAnotherOrderThanTheLineBefore) {
  Parsed p = ParseJsonl(R"({"event_id":"1","event_iD":"2","sixteen_bytes_ab":"3","k":"4"})"
                        "\n"
                        R"({"event_iD":"5","k":"6","event_id":"7","sixteen_bytes_aa":"8"})"
                        "\n"
                        R"({"sixteen_bytes_aa":"9","a_key_of_more_than_16":"10","k":"11"})"
                        "\n"
                        R"({"sixteen_bytes_ab":"12","a_key_of_more_than_16":"13","event_id":"14"})"
                        "\n",
                        {"event_id", "event_iD", "sixteen_bytes_ab", "k", "a_key_of_more_than_16"});
  EXPECT_THAT(p.rows, ElementsAre("1: \"1\" | \"2\" | \"3\" | \"4\" | null",
                                  "2: \"7\" | \"5\" | null | \"6\" | null",
                                  "3: null | null | null | \"11\" | \"10\"",
                                  "4: \"14\" | null | \"12\" | null | \"13\""));
}

// A predicted key is compared with the line's bytes, closing quote included, before any scan:
// a longer or shorter key, the same bytes followed by an escape, keys of 15 and 16 bytes (the
// longest predicted and the first that is not) and a key cut inside a UTF-8 character must each
// be read as the scan would read them.
TEST(JsonlParser, PredictedKeysMatchOnlyTheSameKey) {
  Parsed p = ParseJsonl(
      "{\"k\":\"1\",\"fifteen_bytes_a\":\"2\",\"sixteen_bytes_ab\":\"3\",\"cl\xc3\xa9\":\"4\"}\n"
      "{\"kk\":\"5\",\"fifteen_bytes_a\":\"6\",\"sixteen_bytes_ab\":\"7\",\"cl\xc3\xa9\":\"8\"}\n"
      "{\"k\":\"9\",\"fifteen_bytes_b\":\"10\",\"sixteen_bytes_ac\":\"11\",\"cl\":\"12\"}\n"
      "{\"\":\"13\",\"fifteen_bytes_a\\u0041\":\"14\",\"sixteen_bytes_ab\":\"15\"}\n"
      "{\"k\":\"16\",\"fifteen_bytes_a\":\"17\",\"sixteen_bytes_ab\":\"18\",\"cl\xc3\":\"19\"}\n"
      "{\"k\":\"20\",\"fifteen_bytes_a\":\"21\",\"sixteen_bytes_ab\":\"22\",\"cl\xc3\xa9\":\"23\"}"
      "\n",
      {"k", "kk", "fifteen_bytes_a", "fifteen_bytes_aA", "sixteen_bytes_ab", "cl\xc3\xa9", "cl",
       ""});
  EXPECT_THAT(p.rows,
              ElementsAre("1: \"1\" | null | \"2\" | null | \"3\" | \"4\" | null | null",
                          "2: null | \"5\" | \"6\" | null | \"7\" | \"8\" | null | null",
                          "3: \"9\" | null | null | null | null | null | \"12\" | null",
                          "4: null | null | null | \"14\" | \"15\" | null | null | \"13\"",
                          "6: \"20\" | null | \"21\" | null | \"22\" | \"23\" | null | null"));
  EXPECT_THAT(p.errors, ElementsAre(StartsWith("5: invalid JSON")));
}

// As JSON.parse and Python's json read it; the fast path and simdjson's agree.
TEST(JsonlParser, LastDuplicateKeyWins) {
  Parsed p = ParseJsonl(R"({"a":1,"a":2,"u.s":"flat","u":{"s":"nested"},"n":3,"n":null})"
                        "\n"
                        R"({"a":"x","a":"y","u":{"s":"nested"},"u.s":"flat","n":1e0,"n":4})"
                        "\n",
                        {"a", "u.s", "n"});
  EXPECT_THAT(p.rows, ElementsAre("1: 2 | \"nested\" | null", "2: \"y\" | \"flat\" | 4"));
}

// An object given twice is replaced as a whole, as JSON.parse reads it: what the first one held
// is gone, whatever the second one is. A key spelled with a dot is not part of an object, so a
// later object does not take it away, nor what an object under it held. Each line twice: plain (the
// fast path), then with a number (simdjson).
TEST(JsonlParser, ObjectGivenTwiceKeepsOnlyItsLastValue) {
  const std::vector<std::string> lines = {
      R"("u":{"s":"a","t":"b"},"u":"x")",            // replaced by a string
      R"("u":{"s":"a","t":"b"},"u":{"t":"c"})",      // by another object
      R"("u":{"s":"a"},"u":null,"u2":"y")",          // by null
      R"("u.s":"flat","u":{"t":"c"})",               // a dotted key stays
      R"("u":{"v":{"w":"deep"}},"u":{"v":"flat"})",  // two levels down
      R"("u":{"v":{"w":"deep"}},"u":{"v":{}})",
      // A dotted key holding an object is another key than its parent: a later parent object
      // does not take what it gave, nor does it take what the parent gave.
      R"("u.v":{"w":"dotted"},"u":{"t":"c"})",
      R"("u":{"v":{"w":"deep"}},"u.v":{"x":1})",
      // A key given twice inside an object.
      R"("u":{"v":{"w":"a"},"v":{"x":1}})",
  };
  std::string text;
  for (const auto& line : lines) text += "{" + line + "}\n";
  for (const auto& line : lines) text += "{\"n\":1," + line + "}\n";
  Parsed p = ParseJsonl(text, {"u.s", "u.t", "u.v.w", "u"});
  const std::vector<std::string> expected = {
      R"(null | null | null | "x")",
      R"(null | "c" | null | json "{"t":"c"}")",
      R"(null | null | null | null)",
      R"("flat" | "c" | null | json "{"t":"c"}")",
      R"(null | null | null | json "{"v":"flat"}")",
      R"(null | null | null | json "{"v":{}}")",
      R"(null | "c" | "dotted" | json "{"t":"c"}")",
      R"(null | null | "deep" | json "{"v":{"w":"deep"}}")",
      R"(null | null | null | json "{"v":{"w":"a"},"v":{"x":1}}")",
  };
  ASSERT_EQ(p.rows.size(), 2 * expected.size());
  for (size_t i = 0; i < p.rows.size(); ++i) {
    EXPECT_EQ(p.rows[i], std::to_string(i + 1) + ": " + expected[i % expected.size()]) << i;
  }
  EXPECT_THAT(p.errors, IsEmpty());
}

TEST(JsonlParser, EscapedKeysAndStringsAreUnescaped) {
  Parsed p = ParseJsonl(R"({"l\u0065ad_id":"a\"b\u00e9","x\\y":"\n"})"
                        "\n",
                        {"lead_id", "x\\y"});
  EXPECT_THAT(p.rows, ElementsAre("1: \"a\"b\xC3\xA9\" | \"\n\""));
}

TEST(JsonlParser, BadLinesAreReportedWithLineNumbers) {
  Parsed p = ParseJsonl(
      "{\"a\":1}\n"            // 1
      "not json\n"             // 2
      "[1,2]\n"                // 3
      "{\"a\":2,}\n"           // 4
      "{\"a\":\"open\n"        // 5
      "{\"a\":3}\n"            // 6
      "{\"a\":4} {\"a\":5}\n"  // 7
      "{\"a\":tru}\n"          // 8
      "{\"b\":[1,}\n"          // 9
      "\"str\"\n"              // 10
      "{\"a\":5\n"             // 11
      "{\"b\":\"\\x\"}\n"      // 12: bad escape in an unwanted value
      "{\"a\":6}",             // 13
      {"a"});
  EXPECT_THAT(p.rows, ElementsAre("1: 1", "6: 3", "13: 6"));
  ASSERT_EQ(p.errors.size(), 10u);
  EXPECT_EQ(p.errors[0].substr(0, 3), "2: ");
  EXPECT_EQ(p.errors[1], "3: not a JSON object");
  const char* lines[] = {"2", "3", "4", "5", "7", "8", "9", "10", "11", "12"};
  for (size_t i = 0; i < p.errors.size(); ++i) {
    EXPECT_THAT(p.errors[i], StartsWith(std::string(lines[i]) + ": "));
  }
  EXPECT_THAT(p.errors[2], StartsWith("4: invalid JSON: "));
}

// Each invalid line is reported in words a user can act on, and text after the object is told
// apart from an object left open (simdjson says "ended early" for both).
TEST(JsonlParser, InvalidLinesSayWhatIsWrong) {
  Parsed p = ParseJsonl(
      "{\"a\":1} trailing\n"
      "{\"a\":\"}\"} ]\r\n"
      "{\"a\":{\"b\":1}\n"
      "{\"a\":\"open\n"
      "{\"a\":1,}\n"
      "{\"a\":\"\xff\"}\n"
      "{\"a\":1e}\n"
      "{\"a\":nul}\n"
      "{\"a\":" +
          std::string(200, '[') + std::string(200, ']') +
          "}\n"
          "{\"a\":\"tab\there\"}\n"
          "{\"a\":\"C:\\x\"}\n"
          "{\"a\":1}\r{\"a\":2}\r{\"a\":3}\n"
          "{\"a\":\"\\ud800\"}\n"
          "{\"a\":\"\\\\ud800 \\udc00\"}\n"
          "{\"a\":\"\\ud83d\\ude00 \\q\"}\n",
      {"a"});
  EXPECT_THAT(p.rows, IsEmpty());
  EXPECT_THAT(
      p.errors,
      ElementsAre("1: invalid JSON: unexpected text after the object",
                  "2: invalid JSON: unexpected text after the object",
                  "3: invalid JSON: an object or an array is not closed",
                  "4: invalid JSON: a string is not closed",
                  "5: invalid JSON: a comma, a colon, a brace or a key is missing or out of place",
                  "6: invalid JSON: not valid UTF-8",
                  "7: invalid JSON: a number that does not parse",
                  "8: invalid JSON: a word that is not true, false or null (strings need quotes)",
                  "9: invalid JSON: nested deeper than 128 levels",
                  "10: invalid JSON: a control character inside a string (a tab is written \\t)",
                  "11: invalid JSON: a bad escape in a string (a backslash is written \\\\)",
                  "12: invalid JSON: unexpected text after the object; lines that end with a "
                  "lone \\r are not read as lines (convert them: tr '\\r' '\\n')",
                  "13: invalid JSON: a \\u escape of half of a surrogate pair, without the "
                  "other half (no character; UTF-8 cannot hold it)",
                  "14: invalid JSON: a \\u escape of half of a surrogate pair, without the "
                  "other half (no character; UTF-8 cannot hold it)",
                  "15: invalid JSON: a bad escape in a string (a backslash is written \\\\)"));
}

// DescribeInvalidJson, for readers that parse with another library, says of a value what the
// parser says of the same line.
TEST(JsonlParser, DescribeInvalidJsonSaysWhatTheParserSays) {
  const std::vector<std::string> lines = {
      "{\"a\":1} trailing",
      "{\"a\":{\"b\":1}",
      "{\"a\":\"open",
      "{\"a\":1,}",
      "{\"a\":\"\xff\"}",
      "{\"a\":1e}",
      "{\"a\":nul}",
      "{\"a\":NaN}",
      "{\"a\":" + std::string(200, '{') + std::string(200, '}') + "}",
      "{\"a\":\"tab\there\"}",
      "{\"a\":\"C:\\x\"}",
      "[1,2]",
      "\"text\"",
      "12"};
  for (const std::string& line : lines) {
    Parsed p = ParseJsonl(line + "\n", {"a"});
    ASSERT_EQ(p.errors.size(), 1u) << line;
    EXPECT_EQ("1: " + DescribeInvalidJson(line), p.errors[0]) << line;
  }
  // An object spanning lines, as a request body may be.
  EXPECT_EQ(DescribeInvalidJson("{\n  \"a\": 1,\n}\n"),
            "invalid JSON: a comma, a colon, a brace or a key is missing or out of place");
  EXPECT_EQ(DescribeInvalidJson("{\"a\": {\"b\": [1, 2]}}"), "invalid JSON");
  // A line after the first led by a byte-order mark (files joined with cat) is told as such.
  const std::string marked = "\xEF\xBB\xBF{\"a\":1}";
  Parsed p = ParseJsonl("{\"a\":1}\n" + marked + "\n", {"a"});
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ("2: " + DescribeInvalidJson(marked), p.errors[0]);
  EXPECT_EQ(DescribeInvalidJson(marked),
            "invalid JSON: the line starts with a byte-order mark (U+FEFF), which only the start "
            "of a file may have");
}

TEST(JsonlParser, BlankAndWhitespaceLinesAreSkipped) {
  Parsed p = ParseJsonl("\n  \t\n{\"a\":1}\n\r\n \r\n{\"a\":2}\n\n", {"a"});
  EXPECT_THAT(p.rows, ElementsAre("3: 1", "6: 2"));
  EXPECT_THAT(p.errors, IsEmpty());
}

TEST(JsonlParser, CrlfLineEnds) {
  Parsed p = ParseJsonl("{\"a\":\"x\"}\r\n{\"a\":2}\r\n", {"a"});
  EXPECT_THAT(p.rows, ElementsAre("1: \"x\"", "2: 2"));
}

TEST(JsonlParser, NumbersVersusStrings) {
  Parsed p = ParseJsonl(R"({"a":"1e5","b":1e5,"c":12345678901234567890,"d":-0.0,"e":"true"})"
                        "\n",
                        {"a", "b", "c", "d", "e"});
  // An integer past 2^53 keeps its literal (Value::NumberText: ids read it as written, the
  // Converter turns it into the double it rounds to).
  EXPECT_THAT(p.rows, ElementsAre("1: \"1e5\" | 100000 | \"12345678901234567890\" | 0 | \"true\""));
}

// 1e999 is JSON (RFC 8259 leaves the range to the reader; Python reads inf) but no double: a
// wanted key's value is null with a warning, and the row is kept.
TEST(JsonlParser, NumberOutOfDoubleRangeIsNullWithAWarning) {
  Parsed p = ParseJsonl(
      "{\"a\":1e999,\"b\":1}\n"
      "{\"b\":2,\"a\":-1e400}\n"
      "{\"u\":{\"n\":1E+999},\"b\":3}\n"
      "{\"a\":1" +
          std::string(400, '0') + ",\"b\":4}\n" +
          "{\"a\":1.7976931348623159e308,\"b\":5}\n"
          "{\"a\":1.7976931348623157e308,\"b\":6}\n",
      {"a", "b", "u.n"});
  EXPECT_THAT(p.rows, ElementsAre("1: null | 1 | null", "2: null | 2 | null", "3: null | 3 | null",
                                  "4: null | 4 | null", "5: null | 5 | null",
                                  "6: 1.7976931348623157e+308 | 6 | null"));
  EXPECT_THAT(p.warnings,
              ElementsAre("1: the number 1e999 is out of range; using null",
                          "2: the number -1e400 is out of range; using null",
                          "3: the number 1E+999 is out of range; using null",
                          "4: the number 1000000000000000000000000000000000000000... is out of "
                          "range; using null",
                          "5: the number 1.7976931348623159e308 is out of range; using null"));
  EXPECT_THAT(p.errors, IsEmpty());
}

// The warning names the key (dotted when nested) and comes before its row, as RowSink says.
TEST(JsonlParser, OutOfRangeWarningNamesTheKeyBeforeItsRow) {
  struct OrderSink : RowSink {
    std::vector<std::string> seen;
    void OnRow(uint64_t line, std::span<const Value> values) override {
      seen.push_back("row " + std::to_string(line) + ": " + values[0].ToString() + " " +
                     values[1].ToString());
    }
    void OnError(RowError error) override { seen.push_back("error " + error.message); }
    void OnWarning(RowError warning) override {
      seen.push_back("warning " + warning.file + ":" + std::to_string(warning.line) + " `" +
                     warning.field + "`");
    }
  } sink;
  JsonlParser parser("big.jsonl", {"amount", "utm.n"});
  Block block;
  block.bytes = "{\"amount\":1e999,\"utm\":{\"n\":-1e999}}\n{\"amount\":2}\n";
  block.first_line = 4;
  parser.Parse(block, sink);
  EXPECT_THAT(sink.seen, ElementsAre("warning big.jsonl:4 `amount`", "warning big.jsonl:4 `utm.n`",
                                     "row 4: null null", "row 5: 2 null"));
}

// A key not wanted is never read, whatever its number: no value, so nothing to report.
TEST(JsonlParser, NumberOutOfRangeInAKeyNotWantedIsNotReported) {
  Parsed p = ParseJsonl(
      "{\"a\":1,\"x\":1e999,\"y\":[1e999,{\"z\":-1e999}],\"u\":{\"m\":1e999}}\n"
      "{\"a\":2,\"u\":1e999}\n"  // "u" is only a prefix of the wanted "u.n"
      "{\"a\":3,\"o\":{\"p\":1e999}}\n",
      {"a", "u.n", "o"});
  EXPECT_THAT(p.rows, ElementsAre("1: 1 | null | null", "2: 2 | null | null",
                                  "3: 3 | null | json \"{\"p\":1e999}\""));
  EXPECT_THAT(p.warnings, IsEmpty());
  EXPECT_THAT(p.errors, IsEmpty());
}

// A key given twice keeps its last value: an out-of-range number replaced by a later value is
// not reported, and one that is the last value is reported once.
TEST(JsonlParser, NumberOutOfRangeReplacedByALaterValueIsNotReported) {
  Parsed p = ParseJsonl(
      "{\"a\":1e999,\"a\":5}\n"
      "{\"a\":5,\"a\":1e999}\n"
      "{\"a\":1e999,\"a\":-1e999}\n"
      "{\"a\":1e999,\"a\":null}\n"
      "{\"u\":{\"n\":1e999},\"u\":\"x\"}\n"
      "{\"u\":{\"n\":1e999},\"u.n\":7}\n",
      {"a", "u.n", "a"});
  EXPECT_THAT(p.rows,
              ElementsAre("1: 5 | null | 5", "2: null | null | null", "3: null | null | null",
                          "4: null | null | null", "5: null | null | null", "6: null | 7 | null"));
  EXPECT_THAT(p.warnings, ElementsAre("2: the number 1e999 is out of range; using null",
                                      "3: the number -1e999 is out of range; using null"));
  EXPECT_THAT(p.errors, IsEmpty());
}

// Too small for a double is 0, as before, with no report: simdjson reads 1e-400 as 0 and
// refuses an exponent too large to hold, which is 0 all the same.
TEST(JsonlParser, NumberBelowDoubleRangeIsZero) {
  Parsed p = ParseJsonl(
      "{\"a\":1e-400,\"b\":-1e-400,\"c\":1e-99999999999999999999,"
      "\"d\":0e99999999999999999999,\"e\":-0.0000000001e-99999999999999999999}\n",
      {"a", "b", "c", "d", "e"});
  EXPECT_THAT(p.rows, ElementsAre("1: 0 | 0 | 0 | 0 | 0"));
  EXPECT_THAT(p.warnings, IsEmpty());
  EXPECT_THAT(p.errors, IsEmpty());
}

// A number against JSON's grammar makes the line invalid, wanted or not, in range or not; no
// warning about an earlier value of that line is given.
TEST(JsonlParser, MalformedNumbersStayInvalid) {
  Parsed p = ParseJsonl(
      "{\"a\":1e}\n"
      "{\"a\":01}\n"
      "{\"a\":+1}\n"
      "{\"a\":NaN}\n"
      "{\"a\":1.}\n"
      "{\"a\":-}\n"
      "{\"a\":1e999x}\n"
      "{\"x\":01}\n"
      "{\"x\":[1e+]}\n"
      "{\"a\":1e999,\"x\":.5}\n"
      "{\"a\":Infinity}\n"
      "{\"a\":-1e999e1}\n",
      {"a"});
  EXPECT_THAT(p.rows, IsEmpty());
  ASSERT_EQ(p.errors.size(), 12u);
  for (size_t i = 0; i < p.errors.size(); ++i) {
    EXPECT_THAT(p.errors[i], StartsWith(std::to_string(i + 1) + ": invalid JSON"));
  }
  EXPECT_THAT(p.warnings, IsEmpty());
}

TEST(JsonlParser, InvalidUtf8IsABadLine) {
  Parsed p = ParseJsonl("{\"a\":\"\xFF\"}\n{\"a\":1}\n", {"a"});
  EXPECT_THAT(p.rows, ElementsAre("2: 1"));
  EXPECT_THAT(p.errors, ElementsAre(HasSubstr("UTF-8")));
}

TEST(JsonlParser, DeepNestingIsABadLine) {
  std::string deep = "{\"a\":1,\"b\":" + std::string(500, '[') + std::string(500, ']') + "}\n";
  Parsed p = ParseJsonl(deep, {"a"});
  EXPECT_THAT(p.rows, IsEmpty());
  EXPECT_EQ(p.errors.size(), 1u);
}

TEST(JsonlParser, ClosingBracketAfterTheLineDoesNotConfuseTheParser) {
  // simdjson peeks one byte past a document that ends in '}': the next line starting with '}'
  // must not be taken as part of this one.
  Parsed p = ParseJsonl("{\"a\":{\"b\":1}\n}\n{\"a\":2}\n", {"a"});
  EXPECT_THAT(p.rows, ElementsAre("3: 2"));
  EXPECT_EQ(p.errors.size(), 2u);
}

// Plain lines take a fast path; a line with an array, an escaped key or an error takes
// simdjson. Each pair below differs only in such a detail and must give the same values.
TEST(JsonlParser, PlainAndSimdjsonLinesGiveTheSameValues) {
  Parsed p = ParseJsonl(
      "{\"a\":\"x\",\"u\":{\"s\":\"y\",\"t\":{}},\"b\":true,\"c\":null,\"d\":\"\xC3\xA9\"}\n"
      "{\"a\":\"x\",\"u\":{\"s\":\"y\",\"t\":{}},\"b\":true,\"c\":null,\"d\":\"\xC3\xA9\",\"n\":1}"
      "\n"
      " { \"a\" : \"x\" , \"u\" : { \"s\" : \"y\" , \"t\" : { } } , \"b\" : true }\t\r\n"
      " { \"a\" : \"x\" , \"u\" : { \"s\" : \"y\" , \"t\" : { } } , \"b\" : true ,\"e\":[]}\t\r\n"
      "{\"u\":{\"s\":\"first\"},\"u.s\":\"second\",\"u\":{\"s\":\"third\"},\"a\":false}\n"
      "{\"u\":{\"s\":\"first\"},\"u.s\":\"sec\\u006fnd\",\"u\":{\"s\":\"third\"},\"a\":false}\n",
      {"a", "u.s", "b", "c", "d", "u", "u.t"});
  EXPECT_THAT(
      p.rows,
      ElementsAre("1: \"x\" | \"y\" | true | null | \"\xC3\xA9\" | json \"{\"s\":\"y\",\"t\":{}}\" "
                  "| json \"{}\"",
                  "2: \"x\" | \"y\" | true | null | \"\xC3\xA9\" | json \"{\"s\":\"y\",\"t\":{}}\" "
                  "| json \"{}\"",
                  "3: \"x\" | \"y\" | true | null | null | json \"{ \"s\" : \"y\" , \"t\" : { } "
                  "}\" | json \"{ }\"",
                  "4: \"x\" | \"y\" | true | null | null | json \"{ \"s\" : \"y\" , \"t\" : { } "
                  "}\" | json \"{ }\"",
                  "5: false | \"third\" | null | null | null | json \"{\"s\":\"third\"}\" | null",
                  "6: false | \"third\" | null | null | null | json \"{\"s\":\"third\"}\" | null"));
  EXPECT_THAT(p.errors, IsEmpty());
}

// Numbers take the fast path too (std::from_chars), unless out of a double's range. Each
// number below is read from a plain line and from the same line with an escaped key, which
// sends it to simdjson: the two must give the same values.
TEST(JsonlParser, NumbersReadTheSameOnBothPaths) {
  std::vector<std::string> literals = {"0",
                                       "-0",
                                       "0.0",
                                       "-0.0e-5",
                                       "1",
                                       "-1",
                                       "12.5",
                                       "0.1",
                                       "1E+2",
                                       "1e-0",
                                       "1e-400",
                                       "5e-324",
                                       "2.2250738585072014e-308",
                                       "2.2250738585072011e-308",
                                       "9007199254740991",
                                       "9007199254740992",
                                       "9007199254740993",
                                       "-9007199254740993",
                                       "1.7976931348623157e308",
                                       "1e999",
                                       "123456789012345678901234567890",
                                       "123456789012345678901234567890.5",
                                       "1751328063",
                                       "0.30000000000000004",
                                       "4.35",
                                       "1e23",
                                       "8.98846567431158e307"};
  testing::TestRandom random(42);
  auto next = [&](uint64_t n) { return random.Next(n); };
  auto digits = [&](size_t n, bool lead) {
    std::string out;
    for (size_t i = 0; i < n; ++i)
      out += static_cast<char>('0' + (i == 0 && lead ? 1 + next(9) : next(10)));
    return out;
  };
  for (int i = 0; i < 3000; ++i) {
    std::string literal = next(4) == 0 ? "-" : "";
    const size_t whole = 1 + next(20);
    literal += whole == 1 ? digits(1, false) : digits(whole, true);
    if (next(2) == 0) literal += "." + digits(1 + next(20), false);
    if (next(3) == 0) {
      literal += next(2) == 0 ? "e" : "E";
      if (next(2) == 0) literal += next(2) == 0 ? "-" : "+";
      literal += std::to_string(next(340));
    }
    literals.push_back(literal);
  }
  std::string text;
  for (const std::string& n : literals) {
    text += "{\"n\":" + n + ",\"u\":{\"x\":" + n + "},\"s\":\"a\"}\n";
    text += "{\"n\":" + n + ",\"u\":{\"x\":" + n + "},\"s\":\"a\",\"\\u007a\":\"z\"}\n";
  }
  Parsed p = ParseJsonl(text, {"n", "u.x", "s"});
  EXPECT_THAT(p.errors, IsEmpty());
  ASSERT_EQ(p.rows.size(), 2 * literals.size());
  auto values = [](const std::string& row) { return row.substr(row.find(':')); };
  for (size_t i = 0; i < literals.size(); ++i) {
    EXPECT_EQ(values(p.rows[2 * i]), values(p.rows[2 * i + 1])) << literals[i];
  }
  // Out of range (1e999, and random ones with large exponents): the same warnings on both.
  std::vector<std::string> plain_warnings, simdjson_warnings;
  for (const std::string& w : p.warnings) {
    const size_t line = std::stoul(w.substr(0, w.find(':')));
    (line % 2 == 1 ? plain_warnings : simdjson_warnings).push_back(values(w));
  }
  EXPECT_GE(plain_warnings.size(), 2u);
  EXPECT_EQ(plain_warnings, simdjson_warnings);
}

TEST(JsonlParser, AlmostPlainLinesAreStillChecked) {
  Parsed p = ParseJsonl(
      "{\"a\":truex}\n"            // 1
      "{\"a\":nul}\n"              // 2
      "{\"a\":\"\xC3\"}\n"         // 3: truncated UTF-8
      "{\"\xFF\":1}\n"             // 4: invalid UTF-8 in a key
      "{\"a\":\"x\"}\f\n"          // 5: \f is not JSON whitespace
      "{\"a\":\"x\"\t}\n"          // 6: fine
      "{\"a\":{\"b\":\"c\"\n"      // 7
      "}}\n"                       // 8
      "{\"a\":\"tab\tinside\"}\n"  // 9: a raw tab in a string
      "{\"a\":\"last\"}",          // 10: no final newline
      {"a"});
  EXPECT_THAT(p.rows, ElementsAre("6: \"x\"", "10: \"last\""));
  const char* lines[] = {"1", "2", "3", "4", "5", "7", "8", "9"};
  ASSERT_EQ(p.errors.size(), 8u);
  for (size_t i = 0; i < p.errors.size(); ++i) {
    EXPECT_THAT(p.errors[i], StartsWith(std::string(lines[i]) + ": "));
  }
  EXPECT_THAT(p.errors[0], StartsWith("1: invalid JSON"));
}

// `text` read as one Block, with the fast path on or off (simdjson alone): "line: v1 | v2" for
// each row, then "E<line> message" for each error.
std::vector<std::string> ReadOneBlock(const std::string& text,
                                      const std::vector<std::string>& wanted, bool fast) {
  JsonlParser parser("x.jsonl", wanted);
  parser.set_fast_path(fast);
  std::string bytes = text;
  bytes.reserve(bytes.size() + simdjson::SIMDJSON_PADDING);
  testing::RecordingSink sink;
  parser.Parse(Block{bytes, 1, 0, {}}, sink);
  std::vector<std::string> out;
  for (const auto& row : sink.rows) {
    std::string line = std::to_string(row.line) + ":";
    for (size_t i = 0; i < row.values.size(); ++i) line += (i == 0 ? " " : " | ") + row.values[i];
    out.push_back(line);
  }
  for (const auto& e : sink.errors) out.push_back("E" + std::to_string(e.line) + " " + e.message);
  return out;
}

// Escaped strings are decoded by the fast path, which leaves to simdjson only a bad escape,
// \u0000 and a surrogate that is not the first of a pair. Each line is read both ways (the fast
// path off: simdjson alone), and every wanted value, row and error must be the same.
TEST(JsonlParser, EscapedStringsReadTheSameOnBothPaths) {
  const std::string text =
      R"({"url":"https:\/\/example.com\/pricing","n":"caf\u00e9 \u00C9t\u00e9"})"
      "\n"
      R"({"url":"\"q\" \\ \/ \b\f\n\r\t","n":"\u0041\u07ff\u0800\uffff\u20AC"})"
      "\n"
      R"({"url":"\u00e9)"
      "\xc3\xa9"
      R"(\u00e9","n":"x\u0000y"})"
      "\n"  // \u0000: simdjson
      R"({"url":"\ud83d\ude00","n":"x\uD83D\uDE00\uDBFF\uDFFFy"})"
      "\n"  // surrogate pairs: U+1F600 and U+10FFFF
      R"({"url":"a\x","n":"b"})"
      "\n"  // a bad escape
      R"({"url":"\u00g0","n":"\u12"})"
      "\n"  // bad hex, short
      R"({"url":")"
      "\xc3"
      R"(\u00e9","n":"c"})"
      "\n"  // cut UTF-8
      R"({"u":{"url":"\/nested"},"url":"\/top","n":"\/"})"
      "\n"
      R"({"url":"tab\tthen raw)"
      "\t"
      R"(tab","n":"d"})"
      "\n"  // a raw tab
      R"({"url":")" +
      std::string(3000, 'x') +
      R"(\n","n":"long"})"
      "\n"
      R"({"url":"\udc00","n":"e"})"
      "\n"  // a low surrogate first: simdjson
      R"({"url":"\ud83d\u0041","n":"f"})"
      "\n"  // a high surrogate and no low one
      R"({"url":"\ud83d","n":"g"})"
      "\n"  // a high surrogate at the string's end
      R"({"url":"\ud83d\ud83d\ude00","n":"h"})"
      "\n";  // two high surrogates
  const std::vector<std::string> wanted = {"url", "n", "u.url"};
  const std::vector<std::string> fast = ReadOneBlock(text, wanted, true);
  EXPECT_EQ(fast, ReadOneBlock(text, wanted, false));
  EXPECT_THAT(fast, ::testing::Contains("1: \"https://example.com/pricing\" | \"caf\xc3\xa9 "
                                        "\xc3\x89t\xc3\xa9\" | null"));
  EXPECT_THAT(fast, ::testing::Contains("4: \"\xf0\x9f\x98\x80\" | \"x\xf0\x9f\x98\x80"
                                        "\xf4\x8f\xbf\xbfy\" | null"));
  // Rows from lines 1, 2, 3, 4, 8 and 10; errors for 5, 6, 7 and 9; lines 11-14 (lone
  // surrogates) are simdjson's call.
  EXPECT_GE(fast.size(), 10u);
  for (const char* row : {"1:", "2:", "3:", "4:", "8:", "10:"}) {
    EXPECT_THAT(fast, ::testing::Contains(StartsWith(row)));
  }
  for (const char* error : {"E5 ", "E6 ", "E7 ", "E9 "}) {
    EXPECT_THAT(fast, ::testing::Contains(StartsWith(error)));
  }
  // And through the parse of every block size, the first rows as decoded.
  Parsed p = ParseJsonl(text, wanted);
  ASSERT_FALSE(p.rows.empty());
  EXPECT_THAT(p.rows[0], ::testing::StartsWith("1: \"https://example.com/pricing\""));
}

// A line may nest 128 levels, the line's own object counted, and not 129: whether the deepest
// one is an object or an array, and whether the key holding it is read or skipped. (A number
// in the 128th level was counted a level deeper, and the line refused.)
TEST(JsonlParser, ALineNestsUpTo128LevelsAndNoDeeper) {
  for (const char* open : {"{\"a\":", "["}) {
    for (const char* key : {"p", "u"}) {  // u.x is wanted and read through; p is skipped
      std::string text;
      for (int levels : {128, 129}) {
        const int inner = levels - 1;  // below the line's own object
        std::string nested;
        for (int i = 0; i < inner; ++i) nested += open;
        nested += "1";
        for (int i = 0; i < inner; ++i) nested += open[0] == '[' ? "]" : "}";
        text +=
            std::string("{\"n\":") + std::to_string(levels) + ",\"" + key + "\":" + nested + "}\n";
      }
      const std::vector<std::string> got = ReadOneBlock(text, {"n", "u.x"}, true);
      EXPECT_EQ(got, ReadOneBlock(text, {"n", "u.x"}, false));
      EXPECT_THAT(got, ::testing::Contains(StartsWith("1:"))) << open << key;
      EXPECT_THAT(got, ::testing::Contains(StartsWith("E2 "))) << open << key;
    }
  }
}

// Arrays take the fast path too: read whole, as their JSON text, their elements checked and an
// object in one leading to no wanted key. Each line is read both ways, and every wanted value,
// row and error must be the same.
TEST(JsonlParser, ArraysReadTheSameOnBothPaths) {
  const std::string deep = std::string(20, '[') + std::string(20, ']');  // past kFastMaxDepth
  const std::string too_deep = std::string(130, '[') + std::string(130, ']');
  const std::vector<std::string> lines = {
      R"({"tags":["a","b\u00e9",1,-2.5e3,true,false,null],"n":1})",
      R"({"tags":[ ] ,"n":2,"u":[{"x":1},{"x":[2,[3]]}]})",
      R"({"u":{"x":[1, {"y": "\ud83d\ude00"}]},"tags":[[],[[]]],"n":3})",
      R"({"tags":[1,],"n":4})",         // a trailing comma
      R"({"tags":[1 2],"n":5})",        // no comma
      R"({"tags":["a\x"],"n":6})",      // a bad escape
      R"({"tags":["\udc00"],"n":7})",   // a lone surrogate: simdjson's call
      R"({"tags":[1e999],"n":8})",      // out of range, not read
      "{\"tags\":[\"\xc3\"],\"n\":9}",  // cut UTF-8
      std::string(R"({"tags":)").append(deep).append(R"(,"n":10})"),      // past kFastMaxDepth
      std::string(R"({"tags":)").append(too_deep).append(R"(,"n":11})"),  // past kMaxJsonDepth
      R"({"tags":["x"]  ,"n":12}  )",                                     // spaces
      R"({"tags":["unclosed","n":13})",
  };
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  const std::vector<std::string> wanted = {"tags", "n", "u.x"};
  const std::vector<std::string> fast = ReadOneBlock(text, wanted, true);
  EXPECT_EQ(fast, ReadOneBlock(text, wanted, false));
  EXPECT_THAT(fast,
              ::testing::Contains("1: json \"[\"a\",\"b\\u00e9\",1,-2.5e3,true,false,null]\" | 1 | "
                                  "null"));
  EXPECT_THAT(fast, ::testing::Contains("2: json \"[ ]\" | 2 | null"));
  EXPECT_THAT(fast, ::testing::Contains("3: json \"[[],[[]]]\" | 3 | json \"[1, {\"y\": "
                                        "\"\\ud83d\\ude00\"}]\""));
  for (const char* row : {"1:", "2:", "3:", "8:", "10:", "12:"}) {
    EXPECT_THAT(fast, ::testing::Contains(StartsWith(row)));
  }
  for (const char* error : {"E4 ", "E5 ", "E6 ", "E9 ", "E11 ", "E13 "}) {
    EXPECT_THAT(fast, ::testing::Contains(StartsWith(error)));
  }
}

TEST(JsonlParser, BlockWithoutSpareCapacityIsCopied) {
  JsonlParser parser("x.jsonl", {"a"});
  std::string text = "{\"a\":\"v\"}";
  text.shrink_to_fit();
  Block block{text, 9, 0, {}};
  block.bytes.shrink_to_fit();
  testing::RecordingSink sink;
  parser.Parse(block, sink);
  ASSERT_EQ(sink.rows.size(), 1u);
  EXPECT_EQ(sink.rows[0].line, 9u);
  EXPECT_EQ(sink.rows[0].values[0], "\"v\"");
}

TEST(JsonlParser, StringValuesLiveUntilOnRowReturns) {
  // Checks the string views inside OnRow itself, before the next line is parsed.
  struct CheckingSink : RowSink {
    std::vector<std::string> seen;
    void OnRow(uint64_t, std::span<const Value> values) override {
      seen.emplace_back(values[0].str());
      seen.emplace_back(values[1].str());
    }
    void OnError(RowError) override {}
  } sink;
  JsonlParser parser("x.jsonl", {"a", "b"});
  std::string text = "{\"a\":\"x\\ty\",\"b\":\"plain\"}\n{\"a\":\"2\\n\",\"b\":\"q\"}\n";
  text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  parser.Parse(Block{text, 1, 0, {}}, sink);
  EXPECT_THAT(sink.seen, ElementsAre("x\ty", "plain", "2\n", "q"));
}

}  // namespace
}  // namespace leadscore::ingest
