// RecordSource::Open dispatch, BlockParser::Create, FormatRowError, gzip end to end.
#include "ingest/record_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"

namespace leadscore::ingest {
namespace {

using ::leadscore::ingest::testing::ReadAll;
using ::leadscore::ingest::testing::RowsAsText;
using ::leadscore::ingest::testing::TempDir;
using ::testing::ElementsAre;

TEST(FormatFromPath, ReadsTheExtensionCaseInsensitively) {
  EXPECT_EQ(FormatFromPath("a/leads.csv"), Format::kCsv);
  EXPECT_EQ(FormatFromPath("LEADS.CSV.GZ"), Format::kCsv);
  EXPECT_EQ(FormatFromPath("e.jsonl"), Format::kJsonl);
  EXPECT_EQ(FormatFromPath("e.ndjson.gz"), Format::kJsonl);
  EXPECT_EQ(FormatFromPath("e.json"), std::nullopt);
  EXPECT_EQ(FormatFromPath("e.gz"), std::nullopt);
  EXPECT_EQ(FormatFromPath("csv"), std::nullopt);
}

TEST(RecordSource, UnknownExtensionIsInvalidArgument) {
  TempDir dir;
  auto source = RecordSource::Open(dir.Write("x.txt", "a\n"));
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(source.error().message().find(".jsonl"), std::string::npos);
}

TEST(RecordSource, MissingFileIsNotFound) {
  auto source = RecordSource::Open("/nonexistent/dir/leads.csv");
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().code(), StatusCode::kNotFound);
}

TEST(RecordSource, ReportsPathFormatAndSizes) {
  TempDir dir;
  std::string path = dir.Write("e.ndjson", "{\"a\":1}\n");
  auto source = RecordSource::Open(path);
  ASSERT_TRUE(source);
  EXPECT_EQ((*source)->format(), Format::kJsonl);
  EXPECT_EQ((*source)->path(), path);
  EXPECT_TRUE((*source)->header().empty());
  EXPECT_EQ((*source)->file_size(), 8u);
  EXPECT_EQ((*source)->bytes_read(), 0u);
  ASSERT_TRUE((*source)->Next().has_value());
  EXPECT_EQ((*source)->bytes_read(), 8u);
  auto end = (*source)->Next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(end->has_value());
}

TEST(RecordSource, GzipCsvEndToEndWithTinyBlocks) {
  TempDir dir;
  std::string csv = "\xEF\xBB\xBFlead_id;note\r\n";
  for (int i = 0; i < 500; ++i) {
    csv += "L" + std::to_string(i) + ";\"multi\r\nline; \"\"" + std::to_string(i) + "\"\"\"\r\n";
  }
  std::string path = dir.WriteGzip("leads.csv.gz", {csv.substr(0, 1000), csv.substr(1000)});
  for (size_t target : {size_t{1}, size_t{100}, size_t{1} << 20}) {
    auto result = ReadAll(path, {"note", "lead_id"}, target);
    ASSERT_TRUE(result.status.ok()) << result.status.ToString();
    ASSERT_EQ(result.rows.size(), 500u);
    EXPECT_TRUE(result.errors.empty());
    EXPECT_EQ(result.rows[0].line, 2u);
    EXPECT_EQ(result.rows[499].line, 2u + 2 * 499);
    EXPECT_EQ(result.rows[7].values[0], "\"multi\r\nline; \"7\"\"");
    EXPECT_EQ(result.rows[7].values[1], "\"L7\"");
  }
}

TEST(RecordSource, GzipJsonlEndToEnd) {
  TempDir dir;
  std::string path = dir.WriteGzip("e.jsonl.gz", {"{\"a\":1}\n\n{\"a\":\"x\"}"});
  auto result = ReadAll(path, {"a"}, 1);
  ASSERT_TRUE(result.status.ok());
  EXPECT_THAT(RowsAsText(result.rows), ElementsAre("1: 1", "3: \"x\""));
}

// A gzip file cut short (a copy interrupted, a disk full) loses only what is missing: every
// whole line before the cut is read, and the end is reported as a bad row of its own.
TEST(RecordSource, TruncatedGzipKeepsTheWholeLinesAndReportsTheCut) {
  TempDir dir;
  std::string full;
  for (int i = 0; i < 5000; ++i) full += "{\"a\":" + std::to_string(i) + "}\n";
  std::string gz_path = dir.WriteGzip("full.jsonl.gz", {full});
  std::ifstream in(gz_path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Cutting 4 bytes loses only the trailer's length; 40 loses the last lines too.
  for (size_t cut : {size_t{4}, size_t{40}, bytes.size() / 2}) {
    std::string path = dir.Write("cut.jsonl.gz", bytes.substr(0, bytes.size() - cut));
    for (size_t target : {size_t{100}, size_t{1} << 20}) {
      auto result = ReadAll(path, {"a"}, target);
      ASSERT_TRUE(result.status.ok()) << result.status.ToString();
      ASSERT_GT(result.rows.size(), 0u) << "cut " << cut;
      if (cut == 4) {
        EXPECT_EQ(result.rows.size(), 5000u);
      }
      for (size_t i = 0; i < result.rows.size(); ++i) {
        ASSERT_EQ(result.rows[i].line, i + 1);
        ASSERT_EQ(result.rows[i].values[0], std::to_string(i)) << "cut " << cut;
      }
      ASSERT_EQ(result.errors.size(), 1u) << "cut " << cut;
      const RowError& error = result.errors[0];
      EXPECT_EQ(error.file, path);
      EXPECT_EQ(error.line, result.rows.size() + 1) << "cut " << cut;
      EXPECT_THAT(error.message, ::testing::HasSubstr("the input ends early"));
      EXPECT_THAT(error.message, ::testing::HasSubstr("gzip"));
      if (cut == 4) {
        EXPECT_THAT(error.message, ::testing::HasSubstr("every line before this one"));
      }
      // Cut in a line, it stands for that line; cut after a whole line, for no row.
      EXPECT_EQ(error.is_row, error.message.find("incomplete line") != std::string::npos)
          << error.message;
      EXPECT_EQ(error.is_row, cut != 4) << error.message;
    }
  }
}

TEST(RecordSource, TruncatedGzipCsvKeepsItsHeaderAndWholeRows) {
  TempDir dir;
  std::string csv = "lead_id,n\n";
  for (int i = 0; i < 3000; ++i) csv += "L" + std::to_string(i) + "," + std::to_string(i) + "\n";
  std::string gz_path = dir.WriteGzip("full.csv.gz", {csv});
  std::ifstream in(gz_path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string path = dir.Write("cut.csv.gz", bytes.substr(0, bytes.size() - 40));
  auto result = ReadAll(path, {"lead_id", "n"});
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  ASSERT_GT(result.rows.size(), 2000u);
  ASSERT_LT(result.rows.size(), 3000u);
  EXPECT_EQ(result.rows.back().values[0], "\"L" + std::to_string(result.rows.size() - 1) + "\"");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].line, result.rows.size() + 2);
  EXPECT_THAT(result.errors[0].message, ::testing::HasSubstr("the input ends early"));
}

// A name that heads more than one column is a warning of the header, at its line, naming every
// such column; the last of them is the one read.
TEST(RecordSource, ACsvColumnNamedTwiceIsAHeaderWarning) {
  TempDir dir;
  std::string path = dir.Write("dup.csv", "\nlead_id,x,n,x,y,x,n\nA,1,2,3,4,5,6\n");
  auto source = RecordSource::Open(path);
  ASSERT_TRUE(source);
  std::vector<RowError> warnings = (*source)->header_warnings();
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(FormatRowError(warnings[0]),
            path +
                ":2: field `x`: columns 2, 4 and 6 have this name; column 6 is read and the "
                "others ignored");
  EXPECT_EQ(FormatRowError(warnings[1]),
            path +
                ":2: field `n`: columns 3 and 7 both have this name; column 7 is read and "
                "column 3 ignored");
  auto result = ReadAll(path, {"x", "n", "y"});
  ASSERT_EQ(result.rows.size(), 1u);
  EXPECT_THAT(result.rows[0].values, ElementsAre("\"5\"", "\"6\"", "\"4\""));

  // A name over many columns is listed in short. (200,000 columns took half a minute to check
  // when each column was compared with every other.)
  std::string wide = "lead_id";
  for (int i = 0; i < 200000; ++i) wide += i % 2 ? ",w" : ",c" + std::to_string(i);
  auto many = RecordSource::Open(dir.Write("wide.csv", wide + "\n"));
  ASSERT_TRUE(many);
  warnings = (*many)->header_warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(FormatRowError(warnings[0]),
            dir.path() +
                "/wide.csv:1: field `w`: columns 3, 5, 7, 9, 11, 13, 15, 17, ... and 200001 "
                "(100000 in all) have this name; column 200001 is read and the others ignored");

  // Columns with no name, as a spreadsheet's trailing commas make, are not reported.
  auto unique = RecordSource::Open(dir.Write("unique.csv", "lead_id,x,X,,\"\",\nA,1,2,,,\n"));
  ASSERT_TRUE(unique);
  EXPECT_TRUE((*unique)->header_warnings().empty());
  auto jsonl = RecordSource::Open(dir.Write("e.jsonl", "{\"x\":1,\"x\":2}\n"));
  ASSERT_TRUE(jsonl);
  EXPECT_TRUE((*jsonl)->header_warnings().empty());
}

// A file saved as UTF-16 (Excel's "Unicode text", Windows' Notepad) or UTF-32 is refused at
// once, by name, rather than read as a header of garbled bytes with a NUL every other byte.
TEST(RecordSource, AUtf16OrUtf32FileIsRefusedByName) {
  TempDir dir;
  const std::string utf16le("\xFF\xFEl\0e\0a\0d\0_\0i\0d\0\n\0", 18);
  const std::string utf16be("\xFE\xFF\0l\0e\0a\0d\0_\0i\0d\0\n", 18);
  const std::string utf32le("\xFF\xFE\0\0l\0\0\0\n\0\0\0", 12);
  for (const std::string name : {"x.csv", "x.jsonl"}) {
    for (const auto& [bytes, encoding] :
         {std::pair{utf16le, "UTF-16"}, {utf16be, "UTF-16"}, {utf32le, "UTF-32"}}) {
      const std::string path = dir.Write(name, bytes);
      auto source = RecordSource::Open(path);
      ASSERT_FALSE(source) << name << " " << encoding;
      EXPECT_EQ(source.error().message(),
                path + ":1: the file is " + encoding +
                    " (it starts with that byte order mark); leadscore reads UTF-8: convert it "
                    "first, e.g. iconv -f " +
                    encoding + " -t UTF-8");
    }
  }
  // A UTF-8 one is dropped, as before.
  auto source = RecordSource::Open(dir.Write("y.csv", "\xEF\xBB\xBFlead_id\na\n"));
  ASSERT_TRUE(source);
  EXPECT_EQ((*source)->header(), std::vector<std::string>{"lead_id"});
}

TEST(FormatRowError, NamesFileLineFieldAndMessage) {
  EXPECT_EQ(FormatRowError(RowError{"leads.csv", 12, "ts", "cannot parse \"yesterday\" as a time"}),
            "leads.csv:12: field `ts`: cannot parse \"yesterday\" as a time");
  EXPECT_EQ(FormatRowError(RowError{"leads.csv", 3, "", "expected 6 cells, found 5"}),
            "leads.csv:3: expected 6 cells, found 5");
}

// A problem is one line: the text of the input it quotes may hold line breaks (a quoted CSV
// cell) or a terminal's escape sequences, which are written as escapes.
TEST(FormatRowError, IsOneLineWhateverTheInputHolds) {
  EXPECT_EQ(
      FormatRowError(RowError{"leads.csv", 4, "lead_id",
                              "lead_id \"A\nB\r\x1b[2J\" already read at line 2; row skipped"}),
      "leads.csv:4: field `lead_id`: lead_id \"A\\nB\\r\\x1b[2J\" already read at line 2; "
      "row skipped");
}

}  // namespace
}  // namespace leadscore::ingest
