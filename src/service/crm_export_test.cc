// ExportCrmScores: `leadscore score` output in, each CRM's import CSV out.
#include "service/crm_export.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "testutil/cli_runner.h"

namespace leadscore::service {
namespace {

class CrmExport : public testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    return dir_.Write(name, text);
  }
  std::string Read(const std::string& name) { return dir_.Read(name); }
  Status Export(const std::string& scores_name, const std::string& scores, ingest::Crm crm,
                ExportOptions options = {}) {
    return ExportCrmScores(
        Write(scores_name, scores), crm, dir_.path() + "/out.csv", options, stats_,
        [this](const ingest::RowError& e) { errors_.push_back(ingest::FormatRowError(e)); });
  }

  testutil::TempDir dir_;
  ExportStats stats_;
  std::vector<std::string> errors_;
};

TEST(CrmExportHeader, NamesEachCrmsColumns) {
  EXPECT_EQ(CrmExportHeader(ingest::Crm::kHubSpot),
            "Record ID,leadscore_score,leadscore_grade,leadscore_stage,leadscore_fit,"
            "leadscore_engagement");
  EXPECT_EQ(CrmExportHeader(ingest::Crm::kSalesforce),
            "Id,Leadscore_Score__c,Leadscore_Grade__c,Leadscore_Stage__c,Leadscore_Fit__c,"
            "Leadscore_Engagement__c");
}

TEST(IsCrmRecordId, ChecksEachCrmsIdShape) {
  EXPECT_TRUE(IsCrmRecordId(ingest::Crm::kHubSpot, "51"));
  EXPECT_FALSE(IsCrmRecordId(ingest::Crm::kHubSpot, "L0001"));
  EXPECT_FALSE(IsCrmRecordId(ingest::Crm::kHubSpot, ""));
  EXPECT_TRUE(IsCrmRecordId(ingest::Crm::kSalesforce, "00Q5e00000AbCdE"));
  EXPECT_TRUE(IsCrmRecordId(ingest::Crm::kSalesforce, "00Q5e00000AbCdEFGH"));
  EXPECT_FALSE(IsCrmRecordId(ingest::Crm::kSalesforce, "00Q5e00000AbCd"));
  EXPECT_FALSE(IsCrmRecordId(ingest::Crm::kSalesforce, "00Q5e00000AbCd-"));
}

TEST_F(CrmExport, HubSpotRowsInInputOrderWithReasonsIgnored) {
  Status s = Export("scores.csv",
                    "lead_id,score,fit,engagement,grade,stage,reasons\n"
                    "501,72.50,45.00,27.50,A,MQL,sme:20.00;it_sector:15.00\n"
                    "502,10.00,10.00,0.00,C,,france:10.00\n"
                    "ghost,30.00,0.00,30.00,,,demo:30.00\n",
                    ingest::Crm::kHubSpot);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("out.csv"),
            "Record ID,leadscore_score,leadscore_grade,leadscore_stage,leadscore_fit,"
            "leadscore_engagement\n"
            "501,72.50,A,MQL,45.00,27.50\n"
            "502,10.00,C,,10.00,0.00\n");
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0], dir_.path() +
                            "/scores.csv:4: field `lead_id`: \"ghost\" is not a hubspot record id "
                            "(digits); row skipped");
  EXPECT_EQ(stats_.rows_read, 3u);
  EXPECT_EQ(stats_.rows_written, 2u);
  EXPECT_EQ(stats_.rows_skipped, 1u);
}

TEST_F(CrmExport, SalesforceFromJsonLinesWithEmptyAs) {
  ExportOptions options;
  options.empty_as = "none";
  Status s = Export(
      "scores.jsonl",
      R"({"lead_id":"00Q5e00000AbCdEFGH","score":65,"fit":35,"engagement":30,"grade":"A","stage":"MQL"})"
      "\n"
      R"({"lead_id":"00Q5e00000AbCdEFGI","score":0.5,"fit":0.5,"engagement":0,"grade":null,"stage":null})"
      "\n",
      ingest::Crm::kSalesforce, options);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("out.csv"),
            "Id,Leadscore_Score__c,Leadscore_Grade__c,Leadscore_Stage__c,Leadscore_Fit__c,"
            "Leadscore_Engagement__c\n"
            "00Q5e00000AbCdEFGH,65.00,A,MQL,35.00,30.00\n"
            "00Q5e00000AbCdEFGI,0.50,none,none,0.50,0.00\n");
  EXPECT_TRUE(errors_.empty());
}

TEST_F(CrmExport, BadScoreIsSkippedAndAMissingColumnFails) {
  Status s = Export("scores.csv",
                    "lead_id,score,fit,engagement,grade,stage\n"
                    "7,high,1,1,,\n"
                    "8,,1,1,,\n"
                    "9,1\n",
                    ingest::Crm::kHubSpot);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(errors_.size(), 3u);
  EXPECT_NE(errors_[0].find(":2: field `score`: \"high\" is not a number"), std::string::npos)
      << errors_[0];
  EXPECT_NE(errors_[1].find(":3: field `score`: missing score"), std::string::npos) << errors_[1];
  EXPECT_NE(errors_[2].find(":4: "), std::string::npos) << errors_[2];

  Status wrong = Export("other.csv", "id,points\n1,2\n", ingest::Crm::kHubSpot);
  EXPECT_EQ(wrong.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.message().find("other.csv:1: the header has no `lead_id` column"),
            std::string::npos)
      << wrong.message();
  // A file of ids and scores alone would write every lead's grade and stage as empty.
  Status partial = Export("partial.csv", "lead_id,score\n1001,50\n", ingest::Crm::kHubSpot);
  EXPECT_EQ(partial.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(partial.message().find("partial.csv:1: the header has no `fit` column; give the "
                                   "output of `leadscore score`"),
            std::string::npos)
      << partial.message();
}

// Scores files concatenated or edited by hand can repeat a lead: the CRM gets one update per
// record, from the first row, and each later one is reported.
TEST_F(CrmExport, ARepeatedLeadIsReportedAndTheFirstRowCounts) {
  Status s = Export("scores.csv",
                    "lead_id,score,fit,engagement,grade,stage\n"
                    "1001,50.5,20,30.5,A,MQL\n"
                    "1002,bad,1,1,,\n"
                    "1001,7,1,6,C,\n"
                    "1002,9,1,8,C,\n",
                    ingest::Crm::kHubSpot);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("out.csv"),
            "Record ID,leadscore_score,leadscore_grade,leadscore_stage,leadscore_fit,"
            "leadscore_engagement\n"
            "1001,50.50,A,MQL,20.00,30.50\n"
            "1002,9.00,C,,1.00,8.00\n");
  ASSERT_EQ(errors_.size(), 2u);
  EXPECT_NE(
      errors_[1].find(":4: field `lead_id`: lead_id \"1001\" already read at line 2; row skipped"),
      std::string::npos)
      << errors_[1];
  EXPECT_EQ(stats_.rows_written, 2u);
  EXPECT_EQ(stats_.rows_skipped, 2u);
}

}  // namespace
}  // namespace leadscore::service
