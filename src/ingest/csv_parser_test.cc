// CsvParser: the CSV grammar of csv_parser.h, each case read with block targets from 1 byte
// (every record crosses blocks) to 4 MiB (one block), which must all give the same rows.
#include "ingest/csv_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "ingest/csv_source.h"
#include "ingest/ingest_test_util.h"

namespace leadscore::ingest {
namespace {

using ::leadscore::ingest::testing::ErrorsAsText;
using ::leadscore::ingest::testing::ReadAll;
using ::leadscore::ingest::testing::RowsAsText;
using ::leadscore::ingest::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

using ::leadscore::ingest::testing::Parsed;

// Parses `csv` with every block size and checks they agree; returns the result.
Parsed ParseCsv(std::string_view csv, const std::vector<std::string>& wanted) {
  return testing::ParseWithEveryBlockSize(csv, "in.csv", wanted,
                                          {1, 2, 3, 5, 7, 16, size_t{4} << 20});
}

TEST(CsvParser, ReadsPlainRows) {
  Parsed p = ParseCsv("a,b,c\n1,2,3\nx,y,z\n", {"a", "b", "c"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"1\" | \"2\" | \"3\"", "3: \"x\" | \"y\" | \"z\""));
  EXPECT_THAT(p.errors, IsEmpty());
}

TEST(CsvParser, WantedKeysPickColumnsInSlotOrderAndMissingOnesAreNull) {
  Parsed p = ParseCsv("a,b,c\n1,2,3\n", {"c", "nope", "a"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"3\" | null | \"1\""));
}

TEST(CsvParser, SameWantedKeyTwiceFillsBothSlots) {
  Parsed p = ParseCsv("a,b\n1,2\n", {"b", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"2\" | \"2\""));
}

// As a key given twice in JSON, and as Python's csv.DictReader reads it.
TEST(CsvParser, DuplicateHeaderNameReadsTheLastColumn) {
  Parsed p = ParseCsv("a,b,a\n1,2,3\n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"3\" | \"2\""));
}

TEST(CsvParser, QuotedFieldsWithDelimiterAndDoubledQuotes) {
  Parsed p = ParseCsv("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"\"\"\",\"a\"\"\"\n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"x, y\" | \"say \"hi\"\"", "3: \"\"\" | \"a\"\""));
}

TEST(CsvParser, EmbeddedNewlinesKeepTheStartLineAndCountLines) {
  Parsed p =
      ParseCsv("id,note\n1,\"line one\nline two\"\n2,\"a\r\nb\r\nc\"\n3,plain\n", {"id", "note"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"1\" | \"line one\nline two\"", "4: \"2\" | \"a\r\nb\r\nc\"",
                                  "7: \"3\" | \"plain\""));
}

TEST(CsvParser, CrlfLineEndsAreStripped) {
  Parsed p = ParseCsv("a,b\r\n1,2\r\n\"q\",\"r\"\r\n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"1\" | \"2\"", "3: \"q\" | \"r\""));
}

TEST(CsvParser, LfFileWithAFinalCrlf) {
  Parsed p = ParseCsv("a,b\n1,2\n3,4\r\n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"1\" | \"2\"", "3: \"3\" | \"4\""));
  EXPECT_THAT(p.errors, IsEmpty());
}

TEST(CsvParser, NoFinalNewlineStillGivesTheLastRecord) {
  EXPECT_THAT(ParseCsv("a,b\n1,2\n3,4", {"a", "b"}).rows,
              ElementsAre("2: \"1\" | \"2\"", "3: \"3\" | \"4\""));
  EXPECT_THAT(ParseCsv("a,b\n1,\"x\"", {"a", "b"}).rows, ElementsAre("2: \"1\" | \"x\""));
  EXPECT_THAT(ParseCsv("a,b\n1,2\r", {"a", "b"}).rows, ElementsAre("2: \"1\" | \"2\""));
  EXPECT_THAT(ParseCsv("a,b\n1,\"2\"\r", {"a", "b"}).rows, ElementsAre("2: \"1\" | \"2\""));
  EXPECT_THAT(ParseCsv("a,b\n1,", {"a", "b"}).rows, ElementsAre("2: \"1\" | null"));
}

TEST(CsvParser, SemicolonDelimiterWithQuotedHeader) {
  Parsed p = ParseCsv("\"age\";\"job\"\r\n56;\"house;maid\"\r\n", {"age", "job"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"56\" | \"house;maid\""));
}

TEST(CsvParser, TabDelimiter) {
  Parsed p = ParseCsv("a\tb\n1\t2,5\n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"1\" | \"2,5\""));
}

TEST(CsvParser, EmptyAndQuotedEmptyCellsAreNull) {
  Parsed p = ParseCsv("a,b,c\n,\"\",x\n", {"a", "b", "c"});
  EXPECT_THAT(p.rows, ElementsAre("2: null | null | \"x\""));
}

TEST(CsvParser, SpacesAreKept) {
  Parsed p = ParseCsv("a,b\n 1 , \"x\" \n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \" 1 \" | \" \"x\" \""));
}

TEST(CsvParser, QuoteInsideAnUnquotedFieldIsLiteral) {
  Parsed p = ParseCsv("a,b\nab\"c,5\"\n12\" tall,\"\"x\n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"ab\"c\" | \"5\"\"", "3: \"12\" tall\" | \"x\""));
}

TEST(CsvParser, TextAfterAClosingQuoteIsAppended) {
  Parsed p = ParseCsv("a,b\n\"ab\"cd,\"x\"\"y\"z\"w\r\n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"abcd\" | \"x\"yz\"w\""));
}

// Input is UTF-8: a record holding other bytes (Latin-1, say) is a bad row, at its first line,
// and so kept out of the output, whose JSON it would break; the others are read.
TEST(CsvParser, ARecordThatIsNotUtf8IsABadRow) {
  Parsed p = ParseCsv("a,b\n1,caf\xE9\n2,caf\xC3\xA9\n\"3\n\xFF\",x\n4,y\n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("3: \"2\" | \"caf\xC3\xA9\"", "6: \"4\" | \"y\""));
  EXPECT_THAT(p.errors,
              ElementsAre(StartsWith("2: not valid UTF-8"), StartsWith("4: not valid UTF-8")));
}

// A stray opening quote that meets a quote lines later takes the lines between into one cell,
// as Python's csv reads them (and it keeps the result independent of the block cuts), but the
// row comes with a warning naming the lines. A quoted cell over lines that ends at its quote is
// no stray quote; text after a quote on one line ("ab"cd) is read as Python's csv reads it, with
// a warning of its own.
TEST(CsvParser, AStrayQuoteThatSwallowsLinesIsAWarning) {
  Parsed p = ParseCsv(
      "id,industry\n"
      "A,\"IT\n"  // 2: the stray quote
      "B,Retail\n"
      "C,\"x\"\n"  // 4: its quote closes here, and x" follows
      "D,\"two\nlines\"\n"
      "E,\"ab\"cd\n"
      "F,\"p\"\"q\nr\"s",  // 8-9, no newline at the end
      {"id", "industry"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"A\" | \"IT\nB,Retail\nC,x\"\"", "5: \"D\" | \"two\nlines\"",
                                  "7: \"E\" | \"abcd\"", "8: \"F\" | \"p\"q\nrs\""));
  EXPECT_THAT(p.errors, IsEmpty());
  EXPECT_THAT(p.warnings,
              ElementsAre("2: a quoted cell runs over lines 2-4 and has text after its closing "
                          "quote (a stray quote?): lines 3-4 were read into it",
                          "7: a quoted cell has text after its closing quote; read as \"abcd\"",
                          "8: a quoted cell runs over lines 8-9 and has text after its closing "
                          "quote (a stray quote?): line 9 was read into it"));
}

TEST(CsvParser, WrongCellCountsAreReportedAtTheRecordsFirstLine) {
  Parsed p = ParseCsv(
      "a,b,c\n"
      "1,2,3\n"         // 2
      "1,2\n"           // 3: too few
      "1,\"x\ny\",3\n"  // 4-5: fine, spans two lines
      "1,2,3,4\n"       // 6: too many
      "\"p\nq\",2\n"    // 7-8: too few, starts at 7
      "7,8,9",          // 9
      {"a"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"1\"", "4: \"1\"", "9: \"7\""));
  EXPECT_THAT(p.errors, ElementsAre("3: expected 3 cells, found 2", "6: expected 3 cells, found 4",
                                    "7: expected 3 cells, found 2 in lines 7-8, read as one record "
                                    "because a quoted cell runs over them (a stray quote?)"));
}

// A stray quote that makes a record of the wrong size loses the lines it swallowed: they are
// named, as they are when the record is read.
TEST(CsvParser, ARecordOfTheWrongSizeOverSeveralLinesNamesThem) {
  Parsed p = ParseCsv(
      "id,industry,country\n"
      "L1,\"IT,FR\n"  // 2: the stray quote
      "L2,Retail,US\n"
      "L3,\"x y\",DE,extra\n"
      "L4,IT,FR\n",
      {"id"});
  EXPECT_THAT(p.rows, ElementsAre("5: \"L4\""));
  EXPECT_THAT(p.errors, ElementsAre("2: expected 3 cells, found 4 in lines 2-4, read as one record "
                                    "because a quoted cell runs over them (a stray quote?)"));
}

// Lines ended by a lone CR read as one: the report says why its cells are too many.
TEST(CsvParser, ARecordJoinedByALoneCarriageReturnSaysSo) {
  Parsed p = ParseCsv("a,b\n1,2\r3,4\n5,6\n", {"a"});
  EXPECT_THAT(p.rows, ElementsAre("3: \"5\""));
  EXPECT_THAT(p.errors, ElementsAre("2: expected 2 cells, found 3; lines that end with a lone \\r "
                                    "are not read as lines (convert them: tr '\\r' '\\n')"));
}

// A CRLF file's line ends are not lone CRs: a short row there gets no hint about them.
TEST(CsvParser, ARowOfTooManyCellsInACrlfFileGetsNoLoneCarriageReturnHint) {
  Parsed p = ParseCsv("a,b\r\n1,2\r\n3,4,5\r\n6,7\r\n", {"a"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"1\"", "4: \"6\""));
  EXPECT_THAT(p.errors, ElementsAre("3: expected 2 cells, found 3"));
}

TEST(CsvParser, ErrorsNameTheFileAndHaveNoField) {
  TempDir dir;
  std::string path = dir.Write("leads.csv", "a,b\n1\n");
  auto result = testing::ReadAll(path, {"a"});
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].file, path);
  EXPECT_EQ(result.errors[0].field, "");
  EXPECT_EQ(FormatRowError(result.errors[0]), path + ":2: expected 2 cells, found 1");
}

// A quote that never closes skips its own line only: the lines after it are records again
// (read by RFC 4180 alone, they would all be one bad cell).
TEST(CsvParser, UnterminatedQuoteSkipsOnlyItsLine) {
  Parsed p = ParseCsv("a,b\n1,2\n3,\"open\n4,5\n\n6\n7,8", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"1\" | \"2\"", "4: \"4\" | \"5\"", "7: \"7\" | \"8\""));
  EXPECT_THAT(p.errors,
              ElementsAre("3: unterminated quoted field", "6: expected 2 cells, found 1"));
}

TEST(CsvParser, QuoteEndingTheInputExactlyIsClosed) {
  Parsed p = ParseCsv("a\n\"x\"\"\"", {"a"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"x\"\""));
  EXPECT_THAT(p.errors, IsEmpty());
}

TEST(CsvParser, BlankLinesAreSkippedButCounted) {
  Parsed p = ParseCsv("a,b\n\n1,2\r\n\r\n\n3,4\n\n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("3: \"1\" | \"2\"", "6: \"3\" | \"4\""));
  EXPECT_THAT(p.errors, IsEmpty());
}

TEST(CsvParser, WhitespaceOnlyLineIsARecord) {
  Parsed p = ParseCsv("a,b\n  \n1,2\n", {"a"});
  EXPECT_THAT(p.rows, ElementsAre("3: \"1\""));
  EXPECT_THAT(p.errors, ElementsAre("2: expected 2 cells, found 1"));
}

TEST(CsvParser, SingleColumnQuotedEmptyLineIsARowNotABlank) {
  Parsed p = ParseCsv("a\n\"\"\nx\n", {"a"});
  EXPECT_THAT(p.rows, ElementsAre("2: null", "3: \"x\""));
}

TEST(CsvParser, LoneCarriageReturnIsData) {
  Parsed p = ParseCsv("a,b\nx\ry,z\n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"x\ry\" | \"z\""));
}

TEST(CsvParser, LongQuotedFieldAcrossManyTinyBlocks) {
  std::string note(5000, 'n');
  for (size_t i = 0; i < note.size(); i += 97) note[i] = (i % 2 == 0) ? '\n' : ',';
  std::string escaped;
  for (char c : note) escaped += c;
  std::string csv = "id,note\n1,\"" + escaped + "\"\"\"\n2,x\n";
  Parsed p = ParseCsv(csv, {"id"});
  size_t newlines = std::count(note.begin(), note.end(), '\n');
  EXPECT_THAT(p.rows, ElementsAre("2: \"1\"", std::to_string(3 + newlines) + ": \"2\""));
}

TEST(CsvParser, BlockWithoutRecordsGivesNothing) {
  CsvParser parser("f.csv", {"a"}, ',', {"a"});
  testing::RecordingSink sink;
  parser.Parse(Block{"", 5, 0, {}}, sink);
  parser.Parse(Block{"\n\r\n", 5, 1, {}}, sink);
  EXPECT_THAT(sink.rows, IsEmpty());
  EXPECT_THAT(sink.errors, IsEmpty());
}

TEST(CsvParser, LineNumbersStartAtTheBlocksFirstLine) {
  CsvParser parser("f.csv", {"a", "b"}, ',', {"b"});
  testing::RecordingSink sink;
  parser.Parse(Block{"1,2\n\n3\n", 40, 7, {}}, sink);
  ASSERT_EQ(sink.rows.size(), 1u);
  EXPECT_EQ(sink.rows[0].line, 40u);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].line, 42u);
}

TEST(CsvParser, ReusedParserDoesNotLeakValuesBetweenRows) {
  Parsed p = ParseCsv("a,b\n\"x\"\"\",1\n,2\n", {"a", "b"});
  EXPECT_THAT(p.rows, ElementsAre("2: \"x\"\" | \"1\"", "3: null | \"2\""));
}

TEST(SplitCsvRecord, SplitsAndUnescapes) {
  std::vector<std::string> cells;
  ASSERT_TRUE(SplitCsvRecord("a,\"b,\"\"c\"\"\",,d\r\n", ',', cells));
  EXPECT_THAT(cells, ElementsAreArray({"a", "b,\"c\"", "", "d"}));
  EXPECT_FALSE(SplitCsvRecord("a,\"b", ',', cells));
}

// Blocks cut by FindCsvCut read like one block when fields are bounded too (kMaxQuotedBytes,
// here a few bytes so that the bound falls everywhere): a stray opening quote costs the first
// line of its record, whichever block it falls in, and the lines after it are read again.
TEST(CsvParser, BoundedFieldsReadTheSameInBlocksOfAnySize) {
  testing::TestRandom random(5);
  const std::vector<std::string> header = {"x", "y", "z"};
  auto parse = [&](std::string_view csv, size_t max_quoted, size_t target) {
    CsvParser parser("in.csv", header, ',', header);
    parser.set_max_quoted_bytes(max_quoted);
    testing::RecordingSink sink;
    uint64_t line = 2;
    while (!csv.empty()) {
      size_t cut = FindCsvCut(csv, target, ',', max_quoted);
      if (cut == std::string_view::npos) cut = csv.size();  // the end of the input
      std::string bytes(csv.substr(0, cut));
      bytes.reserve(bytes.size() + 64);
      parser.Parse(Block{bytes, line, 0, {}}, sink);
      line += static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
      csv.remove_prefix(cut);
    }
    return Parsed{RowsAsText(sink.rows), ErrorsAsText(sink.errors), {}};
  };
  for (int round = 0; round < 3000; ++round) {
    const std::string csv = random.Text("ab,\"\n\nc,", random.Next(200));
    const size_t max_quoted = 1 + random.Next(20);
    const Parsed whole = parse(csv, max_quoted, csv.size() + 1);
    for (size_t target : {size_t{1}, size_t{2}, size_t{5}, size_t{17}, size_t{64}}) {
      const Parsed blocks = parse(csv, max_quoted, target);
      ASSERT_EQ(blocks.rows, whole.rows) << "csv \"" << csv << "\" bound " << max_quoted;
      ASSERT_EQ(blocks.errors, whole.errors) << "csv \"" << csv << "\" bound " << max_quoted;
    }
  }
}

// A quote that never closes within kMaxQuotedBytes is unterminated even when the input goes
// on far past it: the lines after its record's first line are rows again.
TEST(CsvParser, AFieldOpenPastTheBoundIsUnterminated) {
  CsvParser parser("in.csv", {"a", "b"}, ',', {"a", "b"});
  parser.set_max_quoted_bytes(8);
  testing::RecordingSink sink;
  std::string bytes = "1,\"open\n2,x\n3,y\n4,\"z\"\n";
  parser.Parse(Block{bytes, 2, 0, {}}, sink);
  EXPECT_THAT(RowsAsText(sink.rows),
              ElementsAre("3: \"2\" | \"x\"", "4: \"3\" | \"y\"", "5: \"4\" | \"z\""));
  EXPECT_THAT(ErrorsAsText(sink.errors), ElementsAre("2: unterminated quoted field"));
  // Within the bound the same quote closes at the next one, lines later (a stray quote).
  CsvParser wide("in.csv", {"a", "b"}, ',', {"a", "b"});
  testing::RecordingSink wide_sink;
  wide.Parse(Block{bytes, 2, 0, {}}, wide_sink);
  EXPECT_THAT(ErrorsAsText(wide_sink.errors), Not(ElementsAre("2: unterminated quoted field")));
}

}  // namespace
}  // namespace leadscore::ingest
