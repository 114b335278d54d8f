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

TEST(RecordSource, TruncatedGzipFailsNext) {
  TempDir dir;
  std::string full;
  for (int i = 0; i < 5000; ++i) full += "{\"a\":" + std::to_string(i) + "}\n";
  std::string gz_path = dir.WriteGzip("full.jsonl.gz", {full});
  std::ifstream in(gz_path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string path = dir.Write("cut.jsonl.gz", bytes.substr(0, bytes.size() - 10));
  auto result = ReadAll(path, {"a"});
  EXPECT_EQ(result.status.code(), StatusCode::kDataLoss);
}

TEST(FormatRowError, NamesFileLineFieldAndMessage) {
  EXPECT_EQ(FormatRowError(RowError{"leads.csv", 12, "ts", "cannot parse \"yesterday\" as a time"}),
            "leads.csv:12: field `ts`: cannot parse \"yesterday\" as a time");
  EXPECT_EQ(FormatRowError(RowError{"leads.csv", 3, "", "expected 6 cells, found 5"}),
            "leads.csv:3: expected 6 cells, found 5");
}

}  // namespace
}  // namespace leadscore::ingest
