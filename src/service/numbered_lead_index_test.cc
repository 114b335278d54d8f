#include "service/numbered_lead_index.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace leadscore::service {
namespace {

LeadTable TableOf(const std::vector<std::string>& ids) {
  LeadTable table(0);
  for (const std::string& id : ids) {
    if (table.Find(id, HashBytes(id)) < 0) table.Insert(id, HashBytes(id));
  }
  return table;
}

std::string Padded(uint64_t n, size_t width) {
  std::string digits = std::to_string(n);
  return std::string(width > digits.size() ? width - digits.size() : 0, '0').append(digits);
}

// a + b (GCC 12 warns falsely of an overlapping copy in "literal" + std::string).
std::string Cat(std::string a, const std::string& b) { return a.append(b); }

// Whatever the index answers, the table answers the same.
void ExpectAgreesWithTable(const LeadTable& table, const NumberedLeadIndex& index,
                           const std::vector<std::string>& queries) {
  for (const std::string& id : queries) {
    auto found = index.Find(id);
    if (found) {
      EXPECT_EQ(*found, table.Find(id, HashBytes(id))) << "id " << id;
    }
  }
}

TEST(NumberedLeadIndex, ZeroPaddedIdsAreFoundByNumberAndOtherWidthsAreLeftToTheTable) {
  std::vector<std::string> ids;
  for (uint64_t n = 1; n <= 2000; ++n) ids.push_back(Cat("L", Padded(n, 7)));
  LeadTable table = TableOf(ids);
  auto index = NumberedLeadIndex::Build(table);
  ASSERT_FALSE(index.empty());
  EXPECT_EQ(index.size(), 2000u);
  EXPECT_EQ(index.Find("L0000001"), 0);
  EXPECT_EQ(index.Find("L0002000"), 1999);
  EXPECT_EQ(index.Find("L0002001"), -1);  // the form, but no such lead
  EXPECT_EQ(index.Find("L0000000"), -1);
  EXPECT_EQ(index.Find("L9999999"), -1);
  EXPECT_EQ(index.Find("L1"), std::nullopt);         // another width: not the same id
  EXPECT_EQ(index.Find("L00000001"), std::nullopt);  // nor is this
  EXPECT_EQ(index.Find("L000000x"), std::nullopt);
  EXPECT_EQ(index.Find("l0000001"), std::nullopt);
  EXPECT_EQ(index.Find("L"), std::nullopt);
  EXPECT_EQ(index.Find(""), std::nullopt);
}

TEST(NumberedLeadIndex, NumbersOfSeveralWidthsAreReadWithoutLeadingZeros) {
  std::vector<std::string> ids;
  for (uint64_t n = 0; n < 3000; ++n) ids.push_back(std::to_string(n));  // no prefix at all
  LeadTable table = TableOf(ids);
  auto index = NumberedLeadIndex::Build(table);
  ASSERT_FALSE(index.empty());
  EXPECT_EQ(index.Find("0"), 0);
  EXPECT_EQ(index.Find("42"), 42);
  EXPECT_EQ(index.Find("2999"), 2999);
  EXPECT_EQ(index.Find("3000"), -1);
  EXPECT_EQ(index.Find("042"), std::nullopt);  // a different id from "42"
  EXPECT_EQ(index.Find("00"), std::nullopt);
  EXPECT_EQ(index.Find("4 2"), std::nullopt);
  EXPECT_EQ(index.Find("99999999999999999999"), std::nullopt);  // beyond 18 digits
}

TEST(NumberedLeadIndex, IdsWithoutAShareOrSpreadFarHaveNoIndex) {
  std::vector<std::string> words;
  for (int i = 0; i < 100; ++i)
    words.push_back(Cat("lead-", std::string(1, static_cast<char>('a' + i % 26))) + "x");
  EXPECT_TRUE(NumberedLeadIndex::Build(TableOf(words)).empty());

  std::vector<std::string> spread;
  for (uint64_t n = 0; n < 100; ++n) spread.push_back(Cat("c", std::to_string(n * 1000003)));
  EXPECT_TRUE(NumberedLeadIndex::Build(TableOf(spread)).empty());

  EXPECT_TRUE(NumberedLeadIndex::Build(LeadTable(0)).empty());
}

TEST(NumberedLeadIndex, MixedIdsAgreeWithTheTable) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 20; ++round) {
    // Mostly one numbered form, some of other forms, in any order.
    const std::string prefix = round % 3 == 0 ? "" : round % 3 == 1 ? "lead-" : "L";
    const size_t width = round % 2 == 0 ? 0 : 6;
    std::vector<std::string> ids, queries;
    for (int i = 0; i < 3000; ++i) {
      const uint64_t n = random() % 5000;
      std::string id = Cat(prefix, width ? Padded(n, width) : std::to_string(n));
      switch (random() % 10) {
        case 0:
          id = Cat("x", id);
          break;
        case 1:
          id = Cat(prefix + "0", std::to_string(n));
          break;
        case 2:
          id += "a";
          break;
        default:
          break;
      }
      ids.push_back(id);
    }
    LeadTable table = TableOf(ids);
    auto index = NumberedLeadIndex::Build(table);
    EXPECT_FALSE(index.empty()) << round;
    for (int i = 0; i < 5000; ++i) {
      const uint64_t n = random() % 6000;
      queries.push_back(Cat(prefix, std::to_string(n)));
      queries.push_back(Cat(prefix, Padded(n, 6)));
      queries.push_back(Cat(prefix, Padded(n, 7)));
      queries.push_back(Cat("x" + prefix, std::to_string(n)));
    }
    queries.insert(queries.end(), ids.begin(), ids.end());
    ExpectAgreesWithTable(table, index, queries);
    size_t answered = 0;
    for (const std::string& id : ids) answered += index.Find(id).has_value();
    EXPECT_GT(answered, ids.size() / 2) << round;
  }
}

}  // namespace
}  // namespace leadscore::service
