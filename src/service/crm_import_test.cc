// ConvertCrmCsv: CRM CSV in, leads JSON Lines out; typing of cells, skipped rows, failures that
// write nothing.
#include "service/crm_import.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "testutil/cli_runner.h"

namespace leadscore::service {
namespace {

class CrmImport : public testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    return dir_.Write(name, text);
  }
  std::string Read(const std::string& name) { return dir_.Read(name); }
  // Converts `csv` with `mapping` into out.jsonl; errors are collected as text.
  Status Convert(const std::string& csv, const ingest::CrmMapping& mapping) {
    return ConvertCrmCsv(
        Write("in.csv", csv), mapping, dir_.path() + "/out.jsonl", stats_,
        [this](const ingest::RowError& e) { errors_.push_back(ingest::FormatRowError(e)); });
  }

  testutil::TempDir dir_;
  ImportStats stats_;
  std::vector<std::string> errors_;
};

TEST_F(CrmImport, WritesOneJsonObjectPerContactWithTypedValues) {
  Status s = Convert(
      "Record ID,First Name,Email,Company size,Industry,Country/Region,Phone Number,Postal Code,"
      "Annual Revenue,Notes\n"
      "101,Ana,ana@acme.io,50,Software,FR,+33 1 23 45 67 89,01234,2500000.50,\"Met at "
      "\"\"Expo\"\", "
      "Paris\"\n"
      "102,Bo,,,Retail,US,+15550100,,-3,\n",
      ingest::PresetMapping(ingest::Crm::kHubSpot));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("out.jsonl"),
            R"({"lead_id":"101","first_name":"Ana","email":"ana@acme.io","company_size":50,)"
            R"("industry":"Software","country":"FR","phone_number":"+33 1 23 45 67 89",)"
            R"("postal_code":"01234","annual_revenue":2500000.50,"notes":"Met at \"Expo\", Paris"})"
            "\n"
            R"({"lead_id":"102","first_name":"Bo","industry":"Retail","country":"US",)"
            R"("phone_number":"+15550100","annual_revenue":-3})"
            "\n");
  EXPECT_EQ(stats_.rows_read, 2u);
  EXPECT_EQ(stats_.rows_written, 2u);
  EXPECT_EQ(stats_.rows_skipped, 0u);
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(stats_.plan.Count(ingest::ColumnRole::kMapped), 5u);
}

TEST_F(CrmImport, FirstNonEmptyColumnGivesAnAttributeOnce) {
  Status s = Convert(
      "Record ID,Company size,Number of Employees\n"
      "1,,40\n"
      "2,12,40\n",
      ingest::PresetMapping(ingest::Crm::kHubSpot));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("out.jsonl"),
            "{\"lead_id\":\"1\",\"company_size\":40}\n"
            "{\"lead_id\":\"2\",\"company_size\":12}\n");
}

// Two columns that become one attribute, by their name or by its spelling, are reported with
// the column read, as `score` reports a column named twice.
TEST_F(CrmImport, ColumnsGivingOneAttributeAreReported) {
  Status s = Convert(
      "Record ID,Email,First Name,first name,Email\n"
      "1001,a@x.com,Ann,Annabel,b@y.com\n"
      "1002,c@x.com,,Bea,\n",
      ingest::PresetMapping(ingest::Crm::kHubSpot));
  ASSERT_TRUE(s.ok()) << s.ToString();
  const std::string in = dir_.path() + "/in.csv";
  ASSERT_EQ(errors_.size(), 2u);
  EXPECT_EQ(errors_[0], in + ":1: field `Email`: columns 2 and 5 both have this name; column 5 is "
                             "read and column 2 ignored");
  EXPECT_EQ(errors_[1], in + ":1: field `first_name`: columns 3 (`First Name`) and 4 (`first "
                             "name`) both become this attribute; column 3 is read, and column 4 "
                             "where column 3 is empty");
  EXPECT_EQ(Read("out.jsonl"),
            "{\"lead_id\":\"1001\",\"first_name\":\"Ann\",\"email\":\"b@y.com\"}\n"
            "{\"lead_id\":\"1002\",\"first_name\":\"Bea\"}\n");
}

TEST_F(CrmImport, SkipsRowsWithoutIdRepeatedIdsAndBadRowsWithTheirLines) {
  Status s = Convert(
      "Lead ID,Email,Description\n"
      "00Q000000000001AAA,a@x.io,\"two\nlines\"\n"
      ",b@x.io,\n"
      "00Q000000000002AAA,c@x.io\n"
      "00Q000000000001AAA,d@x.io,again\n"
      "00Q000000000003AAA,e@x.io,ok\n",
      ingest::PresetMapping(ingest::Crm::kSalesforce));
  ASSERT_TRUE(s.ok()) << s.ToString();
  const std::string in = dir_.path() + "/in.csv";
  ASSERT_EQ(errors_.size(), 3u);
  EXPECT_EQ(errors_[0], in + ":4: field `Lead ID`: no Lead ID; row skipped");
  EXPECT_EQ(errors_[1].rfind(in + ":5: ", 0), 0u) << errors_[1];
  EXPECT_EQ(errors_[2], in + ":6: field `Lead ID`: Lead ID \"00Q000000000001AAA\" already read at "
                             "line 2; row skipped");
  EXPECT_EQ(Read("out.jsonl"),
            "{\"lead_id\":\"00Q000000000001AAA\",\"email\":\"a@x.io\",\"description\":\"two\\n"
            "lines\"}\n"
            "{\"lead_id\":\"00Q000000000003AAA\",\"email\":\"e@x.io\",\"description\":\"ok\"}\n");
  EXPECT_EQ(stats_.rows_read, 5u);
  EXPECT_EQ(stats_.rows_written, 2u);
  EXPECT_EQ(stats_.rows_skipped, 3u);
}

TEST_F(CrmImport, RowsThatAreNotUtf8AreSkipped) {
  Status s = Convert("Lead ID,City\n00Q000000000001,Li\xE8ge\n00Q000000000002,Li\xC3\xA8ge\n",
                     ingest::PresetMapping(ingest::Crm::kSalesforce));
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0], dir_.path() +
                            "/in.csv:2: field `City`: not valid UTF-8 (a file in another encoding, "
                            "such as Latin-1, can be converted: iconv -f latin1 -t utf-8); row "
                            "skipped");
  EXPECT_EQ(Read("out.jsonl"), "{\"lead_id\":\"00Q000000000002\",\"city\":\"Li\xC3\xA8ge\"}\n");
}

TEST_F(CrmImport, NoIdColumnFailsAndWritesNothing) {
  Status s = Convert("Email,Title\na@x.io,CTO\n", ingest::PresetMapping(ingest::Crm::kHubSpot));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no lead id column"), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/out.jsonl"));
}

TEST_F(CrmImport, OnlyCsvIsRead) {
  Status s = ConvertCrmCsv(Write("in.jsonl", "{}\n"), ingest::PresetMapping(ingest::Crm::kHubSpot),
                           dir_.path() + "/out.jsonl", stats_, nullptr);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  Status missing =
      ConvertCrmCsv(dir_.path() + "/none.csv", ingest::PresetMapping(ingest::Crm::kHubSpot),
                    dir_.path() + "/out.jsonl", stats_, nullptr);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace leadscore::service
