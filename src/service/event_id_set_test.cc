// EventIdKeys and EventIdSet: one key per id, numbered ids in the bitmap, dedupe in both parts.
#include "service/event_id_set.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/hash_bytes.h"

namespace leadscore::service {
namespace {

std::vector<std::string> Numbered(const std::string& prefix, int first, int count) {
  std::vector<std::string> ids;
  for (int i = first; i < first + count; ++i) ids.push_back(prefix + std::to_string(i));
  return ids;
}

TEST(TrailingNumber, IsADecimalWithoutLeadingZeros) {
  ASSERT_TRUE(TrailingNumberOf("ev12"));
  EXPECT_EQ(TrailingNumberOf("ev12")->at, 2u);
  EXPECT_EQ(TrailingNumberOf("ev12")->value, 12u);
  EXPECT_EQ(TrailingNumberOf("0")->value, 0u);
  EXPECT_EQ(TrailingNumberOf("a-0")->at, 2u);
  EXPECT_EQ(TrailingNumberOf("123456789012345678")->value, 123456789012345678u);
  EXPECT_FALSE(TrailingNumberOf("ev012"));                // a leading zero
  EXPECT_FALSE(TrailingNumberOf("ev"));                   // no digits
  EXPECT_FALSE(TrailingNumberOf(""));                     //
  EXPECT_FALSE(TrailingNumberOf("1234567890123456789"));  // 19 digits
}

TEST(EventIdKeys, SampleOfNumberedIdsPicksTheirPrefixAndSmallestNumber) {
  auto ids = Numbered("evt_", 1000, 50);
  ids.push_back("a6c1e0d2-1f4b-4c3e-9d57-0b1f6a2e8c11");  // a few others do not prevent it
  ids.push_back("");                                      // (no id: not counted)
  EventIdKeys keys = EventIdKeys::FromSample(ids);
  ASSERT_TRUE(keys.numbered());
  EXPECT_EQ(keys.prefix(), "evt_");
  EXPECT_EQ(keys.base(), 960u);  // 1000, rounded down to a multiple of 64

  EXPECT_TRUE(EventIdKeys::FromSample(Numbered("", 5, 20)).numbered());
  EXPECT_EQ(EventIdKeys::FromSample(Numbered("", 5, 20)).prefix(), "");
}

TEST(EventIdKeys, NoNumberedFormWhenTooFewShareIt) {
  EXPECT_FALSE(EventIdKeys::FromSample(Numbered("e", 1, 15)).numbered());  // fewer than 16
  auto mixed = Numbered("e", 1, 40);
  for (auto& id : Numbered("f", 1, 10)) mixed.push_back(id);  // 80% with one prefix
  EXPECT_FALSE(EventIdKeys::FromSample(mixed).numbered());
  std::vector<std::string> uuids;
  for (int i = 0; i < 100; ++i)
    uuids.push_back("3f2a9c1e-77b0-4d2e-9a51-" + std::to_string(i) + "x");
  EXPECT_FALSE(EventIdKeys::FromSample(uuids).numbered());
}

TEST(EventIdKeys, EachIdHasOneKeyAndDistinctIdsDistinctKeys) {
  const EventIdKeys keys("ev", 64);
  // Numbered: in the bitmap, by number less the base.
  EXPECT_TRUE(EventIdKeys::IsNumbered(keys.Key("ev64")));
  EXPECT_EQ(EventIdKeys::NumberOf(keys.Key("ev64")), 0u);
  EXPECT_EQ(EventIdKeys::NumberOf(keys.Key("ev100")), 36u);
  // Not numbered: a leading zero, another prefix, below the base, beyond the span, not digits.
  const std::string beyond = "ev" + std::to_string(64 + EventIdKeys::kDenseSpan);
  for (std::string id : {"ev064", "ev0100", "ex100", "100", "ev63", "ev", "ev1a", "evv100"}) {
    EXPECT_FALSE(EventIdKeys::IsNumbered(keys.Key(id))) << id;
    EXPECT_EQ(keys.Key(id), EventIdKeys::FingerprintKey(HashBytes(id))) << id;
  }
  EXPECT_FALSE(EventIdKeys::IsNumbered(keys.Key(beyond)));
  EXPECT_TRUE(
      EventIdKeys::IsNumbered(keys.Key("ev" + std::to_string(64 + EventIdKeys::kDenseSpan - 1))));
  // Every key differs across ids that look alike.
  std::set<uint64_t> seen;
  for (std::string id : {"ev64", "ev064", "ev100", "ev0100", "ex100", "100", "ev63", "ev1a", "0"}) {
    EXPECT_NE(keys.Key(id), 0u);
    EXPECT_TRUE(seen.insert(keys.Key(id)).second) << id;
  }
}

TEST(EventIdKeys, AFingerprintNeverLooksLikeANumberedKey) {
  const uint64_t numbered = EventIdKeys("e", 0).Key("e5");
  ASSERT_TRUE(EventIdKeys::IsNumbered(numbered));
  EXPECT_FALSE(EventIdKeys::IsNumbered(EventIdKeys::FingerprintKey(numbered)));
  EXPECT_NE(EventIdKeys::FingerprintKey(numbered), numbered);
  EXPECT_EQ(EventIdKeys::FingerprintKey(0), 1u);
  EXPECT_EQ(EventIdKeys::FingerprintKey(12345), 12345u);
}

TEST(EventIdSet, DedupesNumberedAndFingerprintedIdsAlike) {
  const EventIdKeys keys("e", 0);
  EventIdSet set;
  std::vector<std::string> ids = Numbered("e", 0, 100000);
  ids.push_back("e0100");                                            // not the same event as e100
  ids.push_back("a-fingerprinted-id");                               //
  ids.push_back("e" + std::to_string(EventIdKeys::kDenseSpan + 7));  // beyond the bitmap
  for (const auto& id : ids) EXPECT_TRUE(set.Insert(keys.Key(id))) << id;
  for (const auto& id : ids) EXPECT_FALSE(set.Insert(keys.Key(id))) << id;
  // 100,000 numbers: a bitmap of 12.5 KB, rounded up to a doubling.
  EXPECT_LE(set.bitmap_bytes(), 32u << 10);
  EXPECT_GE(set.bitmap_bytes(), 100000u / 8);
}

TEST(EventIdSet, ALargeNumberGrowsTheBitmapOnlyToItsBound) {
  const EventIdKeys keys("", 0);
  EventIdSet set;
  EXPECT_TRUE(set.Insert(keys.Key(std::to_string(EventIdKeys::kDenseSpan - 1))));
  EXPECT_EQ(set.bitmap_bytes(), EventIdKeys::kDenseSpan / 8);
  EXPECT_TRUE(set.Insert(keys.Key("0")));
  EXPECT_FALSE(set.Insert(keys.Key(std::to_string(EventIdKeys::kDenseSpan - 1))));
}

}  // namespace
}  // namespace leadscore::service
