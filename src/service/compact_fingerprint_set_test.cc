#include "service/compact_fingerprint_set.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "service/lead_table.h"

namespace leadscore::service {
namespace {

TEST(CompactFingerprintSet, InsertsOnceAcrossGrowth) {
  CompactFingerprintSet set;
  set.Reserve(10);
  const size_t small = set.table_bytes();
  for (uint64_t i = 0; i < 2000000; ++i) {
    ASSERT_TRUE(set.Insert(HashBytes(std::to_string(i)))) << i;
  }
  EXPECT_GT(set.table_bytes(), small);
  for (uint64_t i = 0; i < 2000000; i += 7) {
    ASSERT_FALSE(set.Insert(HashBytes(std::to_string(i)))) << i;
  }
  EXPECT_EQ(set.size(), 2000000u);
  EXPECT_TRUE(set.Contains(HashBytes("1999999")));
  EXPECT_FALSE(set.Contains(HashBytes("2000000")));
}

// The top 16 bits are not stored but given by the region: fingerprints that differ only there
// are distinct, and fingerprints whose low 48 bits are 0 (the empty mark) still count.
TEST(CompactFingerprintSet, KeepsTheBitsARegionStandsFor) {
  CompactFingerprintSet set;
  for (uint64_t top = 0; top < 1000; ++top) {
    EXPECT_TRUE(set.Insert(top << 48 | 12345));
    EXPECT_TRUE(set.Insert(top << 48 | (uint64_t{1} << 47)));
  }
  for (uint64_t top = 0; top < 1000; ++top) {
    EXPECT_FALSE(set.Insert(top << 48 | 12345));
    EXPECT_TRUE(set.Contains(top << 48 | (uint64_t{1} << 47)));
  }
  EXPECT_FALSE(set.Contains(uint64_t{1000} << 48 | 12345));
  EXPECT_EQ(set.size(), 2000u);
  EXPECT_TRUE(set.Insert(0));   // low bits 0 are stored as 1
  EXPECT_FALSE(set.Insert(1));  // the one documented conflation
  EXPECT_TRUE(set.Insert(uint64_t{1} << 63));
}

// Against std::set on clustered fingerprints: a few regions, each with runs of neighbouring low
// bits that wrap around the region's end, and enough of them to make the regions grow.
TEST(CompactFingerprintSet, AgreesWithStdSetOnCrowdedRegions) {
  CompactFingerprintSet set;
  set.Reserve(1000);
  std::set<uint64_t> model;
  std::mt19937_64 random(7);
  for (int round = 0; round < 200000; ++round) {
    const uint64_t region = random() % 4 == 0 ? 0xffff : random() % 3;
    // Low bits near 0 and near the top of the 48: runs that start at either end of a region.
    const uint64_t near = random() % 2 == 0 ? 0 : (uint64_t{1} << 48) - 3000;
    uint64_t fp = region << 48 | (near + random() % 3000);
    if ((fp & ((uint64_t{1} << 48) - 1)) == 0) fp |= 1;  // the conflation is tested above
    EXPECT_EQ(set.Insert(fp), model.insert(fp).second) << fp;
  }
  auto agree = [&] {
    ASSERT_EQ(set.size(), model.size());
    for (uint64_t region : {0ull, 1ull, 2ull, 3ull, 0xffffull}) {
      for (uint64_t low = 1; low < 3000; ++low) {
        for (uint64_t fp : {region << 48 | low, region << 48 | ((uint64_t{1} << 48) - low)}) {
          ASSERT_EQ(set.Contains(fp), model.contains(fp)) << fp;
        }
      }
    }
  };
  agree();
  // Spread fingerprints, enough to grow the table: the crowded ones move with it.
  const size_t bytes = set.table_bytes();
  for (int i = 0; i < 1000000; ++i) {
    const uint64_t fp = HashBytes(std::to_string(i)) | 1;
    ASSERT_EQ(set.Insert(fp), model.insert(fp).second) << fp;
  }
  EXPECT_GT(set.table_bytes(), bytes);
  agree();
}

// A table sized for 30M ids takes 6 bytes a slot, and a region crowded at one home slot sends
// what its capped probes cannot place to the overflow, findable and never inserted twice.
TEST(CompactFingerprintSet, TakesSixBytesASlotAndCapsItsProbes) {
  CompactFingerprintSet set;
  set.Reserve(30'000'000);
  // 80% full on average: 6 * 30M / 0.8 bytes, where 8-byte slots took 300 MB.
  const size_t bytes = set.table_bytes();
  EXPECT_LT(bytes, 240'000'000u);
  EXPECT_GT(bytes, 180'000'000u);
  // Region 7, low bits 1..2000: all of them start their probe in the region's first slot.
  for (uint64_t low = 1; low <= 2000; ++low) ASSERT_TRUE(set.Insert(uint64_t{7} << 48 | low));
  for (uint64_t low = 1; low <= 2000; ++low) {
    ASSERT_FALSE(set.Insert(uint64_t{7} << 48 | low)) << low;
    ASSERT_TRUE(set.Contains(uint64_t{7} << 48 | low)) << low;
  }
  EXPECT_FALSE(set.Contains(uint64_t{7} << 48 | 2001));
  EXPECT_FALSE(set.Contains(uint64_t{8} << 48 | 1));
  EXPECT_EQ(set.size(), 2000u);
  EXPECT_EQ(set.table_bytes(), bytes);  // crowding one region did not grow the table
}

}  // namespace
}  // namespace leadscore::service
