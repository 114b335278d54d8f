// The public datasets of /work/shared/datasets (see its README.md): row counts, columns and
// label counts as their READMEs state them, read with the real parser. Skipped when absent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "ingest/convert.h"
#include "ingest/ingest_test_util.h"

namespace leadscore::ingest {
namespace {

const char kDatasets[] = "/work/shared/datasets";

std::string DatasetPath(const std::string& relative) {
  return std::string(kDatasets) + "/" + relative;
}

// Reads `relative` with small blocks (many block boundaries) and one big block; both must agree.
testing::ReadResult ReadDataset(const std::string& relative,
                                const std::vector<std::string>& wanted) {
  testing::ReadResult big = testing::ReadAll(DatasetPath(relative), wanted, 4 << 20);
  testing::ReadResult small = testing::ReadAll(DatasetPath(relative), wanted, 10000);
  EXPECT_EQ(testing::RowsAsText(small.rows), testing::RowsAsText(big.rows));
  EXPECT_GT(small.blocks, 1u);
  return big;
}

size_t CountValue(const testing::ReadResult& result, size_t slot, const std::string& rendered) {
  size_t n = 0;
  for (const auto& row : result.rows) n += row.values[slot] == rendered;
  return n;
}

#define SKIP_IF_ABSENT(relative)                             \
  if (!std::filesystem::exists(DatasetPath(relative))) {     \
    GTEST_SKIP() << DatasetPath(relative) << " not present"; \
  }

TEST(Datasets, BankMarketingSemicolonsCrlfAndQuotes) {
  const std::string file = "uci_bank_marketing/bank-additional-full.csv";
  SKIP_IF_ABSENT(file);
  auto result = ReadDataset(file, {"age", "job", "y", "pdays"});
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.header.size(), 21u);
  EXPECT_EQ(result.header[0], "age");
  EXPECT_EQ(result.header[20], "y");
  EXPECT_EQ(result.rows.size(), 41188u);
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(CountValue(result, 2, "\"yes\""), 4640u);
  EXPECT_EQ(CountValue(result, 2, "\"no\""), 41188u - 4640u);
  EXPECT_EQ(CountValue(result, 1, "\"unknown\""), 330u);
  EXPECT_EQ(result.rows.front().line, 2u);
  EXPECT_EQ(result.rows.back().line, 41189u);
}

TEST(Datasets, HillstromQuotedCommasAndFinalCrlf) {
  const std::string file =
      "hillstrom_email/"
      "Kevin_Hillstrom_MineThatData_E-MailAnalytics_DataMiningChallenge_2008.03.20.csv";
  SKIP_IF_ABSENT(file);
  auto result = ReadDataset(file, {"history_segment", "conversion", "visit", "spend", "segment"});
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.header.size(), 12u);
  EXPECT_EQ(result.rows.size(), 64000u);
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(CountValue(result, 1, "\"1\""), 578u);
  EXPECT_EQ(CountValue(result, 2, "\"1\""), 9394u);
  EXPECT_EQ(CountValue(result, 4, "\"Womens E-Mail\""), 21387u);
  EXPECT_GT(CountValue(result, 0, "\"7) $1,000 +\""), 0u);
  // The last cell of the last row (before the final CRLF) has no '\r'.
  EXPECT_EQ(result.rows.back().values[3].find('\r'), std::string::npos);
}

TEST(Datasets, OnlineShoppersNoFinalNewlineAndScientificNotation) {
  const std::string file = "uci_online_shoppers/online_shoppers_intention.csv";
  SKIP_IF_ABSENT(file);
  auto result = ReadDataset(file, {"Revenue", "BounceRates", "VisitorType"});
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.header.size(), 18u);
  EXPECT_EQ(result.rows.size(), 12330u);
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(CountValue(result, 0, "\"TRUE\""), 1908u);
  EXPECT_EQ(CountValue(result, 0, "\"FALSE\""), 10422u);
  EXPECT_EQ(result.rows.back().line, 12331u);
  size_t scientific_numbers = 0;
  for (const auto& row : result.rows) {
    const std::string& cell = row.values[1];  // rendered with quotes
    std::string_view text(cell.data() + 1, cell.size() - 2);
    if (text.find_first_of("eE") != std::string_view::npos) {
      EXPECT_TRUE(ParseDecimal(text).has_value()) << text;
      ++scientific_numbers;
    }
  }
  EXPECT_GT(scientific_numbers, 0u);
}

TEST(Datasets, XEducationEmptyCellsAreNull) {
  const std::string file = "x_education_leads/Leads.csv";
  SKIP_IF_ABSENT(file);
  auto result = ReadDataset(file, {"Prospect ID", "Converted", "Lead Source", "TotalVisits"});
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.header.size(), 37u);
  EXPECT_EQ(result.rows.size(), 9240u);
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(CountValue(result, 1, "\"1\""), 3561u);
  EXPECT_EQ(CountValue(result, 2, "null"), 36u);
  EXPECT_EQ(CountValue(result, 3, "null"), 137u);
}

TEST(Datasets, OlistLeadsAndDealsWithQuotedCommas) {
  const std::string leads = "olist_marketing_funnel/olist_marketing_qualified_leads_dataset.csv";
  const std::string deals = "olist_marketing_funnel/olist_closed_deals_dataset.csv";
  SKIP_IF_ABSENT(leads);
  SKIP_IF_ABSENT(deals);
  auto mqls = ReadDataset(leads, {"mql_id", "origin"});
  ASSERT_TRUE(mqls.status.ok());
  EXPECT_EQ(mqls.header.size(), 4u);
  EXPECT_EQ(mqls.rows.size(), 8000u);
  EXPECT_TRUE(mqls.errors.empty());
  EXPECT_EQ(CountValue(mqls, 1, "null"), 60u);
  auto closed = ReadDataset(deals, {"mql_id", "lead_behaviour_profile"});
  ASSERT_TRUE(closed.status.ok());
  EXPECT_EQ(closed.header.size(), 14u);
  EXPECT_EQ(closed.rows.size(), 842u);
  EXPECT_TRUE(closed.errors.empty());
  EXPECT_GT(CountValue(closed, 1, "\"cat, wolf\""), 0u);
}

TEST(Datasets, B2bSalvirtSemicolonsAndCrlf) {
  const std::string file = "b2b_sales_salvirt/Salvirt_B2B_ML_dataset_HF.csv";
  SKIP_IF_ABSENT(file);
  auto result = ReadDataset(file, {"Status", "Authority"});
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.header.size(), 23u);
  EXPECT_EQ(result.rows.size(), 448u);
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(CountValue(result, 0, "\"Won\""), 227u);
  EXPECT_EQ(CountValue(result, 1, "\"Mid\""), 399u);
}

}  // namespace
}  // namespace leadscore::ingest
