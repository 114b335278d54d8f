#include "service/lead_table.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace leadscore::service {
namespace {

TEST(LeadTable, FindsShortLongAndHugeIdsAcrossGrowth) {
  LeadTable table(1);
  std::vector<std::string> ids;
  for (int i = 0; i < 5000; ++i) {
    std::string id = "L";
    id += std::to_string(i);
    if (i % 3 == 1) id += std::string(55 - (i % 5), 'x');  // around the 56-byte inline limit
    if (i % 7 == 2) id += std::string(80, 'y');            // through a pointer
    if (i % 11 == 3) id += "-8f14e45f-ceea-467f-a0e6-1b2c3d4e5f60";  // a UUID's length and more
    if (i == 4999) id = std::string(70000, 'z');                     // longer than a 16-bit length
    ids.push_back(id);
    EXPECT_EQ(table.Find(id, HashBytes(id)), -1);
    EXPECT_EQ(table.Insert(id, HashBytes(id)), static_cast<uint32_t>(i));
  }
  for (int i = 0; i < 5000; ++i) {
    EXPECT_EQ(table.Find(ids[i], HashBytes(ids[i])), i) << i;
    EXPECT_EQ(table.id(i), ids[i]);
  }
  // Same hash, different id: a lookup must compare the ids.
  EXPECT_EQ(table.Find("nope", HashBytes(ids[10])), -1);
}

TEST(LeadTable, StoresAttributesByValue) {
  LeadTable table(2);
  uint32_t row = table.Insert("a", HashBytes("a"));
  std::string text = "transient";
  table.SetAttribute(row, 1, Value::String(text));
  text = "overwritten";
  EXPECT_EQ(table.attributes(row)[1].str(), "transient");
  EXPECT_TRUE(table.attributes(row)[0].is_null());
}

// Copies of every length from 0 to 40 (the inline path takes 1 to 16), enough of them to fill
// several 2 MiB chunks and one larger than a quarter chunk, keep their bytes while more are
// made, and again after Reset reuses the chunks.
TEST(Arena, CopiesKeepTheirBytesAcrossChunksAndReset) {
  Arena arena;
  for (int round = 0; round < 2; ++round) {
    std::vector<std::string> sources;
    std::vector<std::string_view> copies;
    std::mt19937 random(round);
    for (int i = 0; i < 300000; ++i) {
      std::string text(i % 41, 'a');
      for (char& c : text) c = static_cast<char>('a' + random() % 26);
      if (i == 123456) text = std::string((size_t{2} << 20) / 4 + 1, 'q');
      sources.push_back(text);
      copies.push_back(arena.Copy(sources.back()));
      ASSERT_EQ(copies.back(), sources.back()) << i;
    }
    for (size_t i = 0; i < copies.size(); ++i) {
      ASSERT_EQ(copies[i], sources[i]) << round << " " << i;
      if (!sources[i].empty()) {
        ASSERT_NE(copies[i].data(), sources[i].data());
      }
    }
    arena.Reset();
  }
}

TEST(FingerprintSet, InsertsOnceAcrossRehashes) {
  FingerprintSet set;
  set.Reserve(10);
  for (uint64_t i = 0; i < 100000; ++i) EXPECT_TRUE(set.Insert(HashBytes(std::to_string(i))));
  for (uint64_t i = 0; i < 100000; i += 7) EXPECT_FALSE(set.Insert(HashBytes(std::to_string(i))));
  EXPECT_EQ(set.size(), 100000u);
  EXPECT_TRUE(set.Insert(0));  // 0 is stored as 1
  EXPECT_FALSE(set.Insert(1));
}

// Erase against std::set on clustered keys (runs that wrap around the table's end included),
// so that backward-shift deletion never hides a later entry of a run.
TEST(FingerprintSet, EraseKeepsEveryOtherEntryFindable) {
  FingerprintSet set;
  std::set<uint64_t> model;
  std::mt19937_64 random(7);
  for (int round = 0; round < 20000; ++round) {
    // 16 home slots (a slot is picked by the high bits), up to 100 ids each: runs that merge
    // and wrap around the end of the table.
    uint64_t fp = (random() % 16) << 60 | random() % 100;
    if (fp == 0) fp = 1;
    if (random() % 3 == 0) {
      EXPECT_EQ(set.Erase(fp), model.erase(fp) == 1) << fp;
    } else {
      EXPECT_EQ(set.Insert(fp), model.insert(fp).second) << fp;
    }
    EXPECT_EQ(set.size(), model.size());
  }
  for (uint64_t high = 0; high < 16; ++high) {
    for (uint64_t low = 0; low < 100; ++low) {
      uint64_t fp = std::max<uint64_t>(high << 60 | low, 1);
      EXPECT_EQ(set.Contains(fp), model.contains(fp)) << fp;
    }
  }
}

}  // namespace
}  // namespace leadscore::service
