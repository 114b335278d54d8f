// BlockSource (through JsonlSource): block sizes, padding, line numbers, indices, progress.
#include "ingest/block_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "ingest/ingest_test_util.h"
#include "ingest/jsonl_source.h"

namespace leadscore::ingest {
namespace {

using ::leadscore::ingest::testing::TempDir;
using ::testing::ElementsAre;

TEST(CountNewlines, CountsLineFeedsOnly) {
  std::string text = "a\nb\r\n\n\rc";
  EXPECT_EQ(CountNewlines(text.data(), text.data() + text.size()), 3u);
  EXPECT_EQ(CountNewlines(text.data(), text.data()), 0u);
}

TEST(CountNewlines, MatchesAByteCountOnEveryByteValueAndAlignment) {
  std::string text;
  for (int i = 0; i < 4096; ++i) text.push_back(static_cast<char>((i * 7919) % 256));
  text += std::string(64, '\n');
  for (size_t start = 0; start < 9; ++start) {
    const char* begin = text.data() + start;
    const char* end = text.data() + text.size() - start;
    EXPECT_EQ(CountNewlines(begin, end), static_cast<size_t>(std::count(begin, end, '\n')));
  }
}

TEST(CountNewlines, CountsLongRunsOfNewlinesWithoutWrapping) {
  // More than 255 newlines per byte lane of a 16-byte step.
  for (size_t n : {4079u, 4080u, 4081u, 10000u, 65537u}) {
    std::string text(n, '\n');
    EXPECT_EQ(CountNewlines(text.data(), text.data() + text.size()), n);
  }
}

TEST(BlockSource, BlocksEndOnLineEndsAndCarryPadding) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "{\"i\":" + std::to_string(i) + "}\n";
  auto source = RecordSource::Open(dir.Write("x.jsonl", text));
  ASSERT_TRUE(source);
  std::string joined;
  uint64_t expected_line = 1;
  uint64_t index = 0;
  for (;;) {
    auto block = (*source)->Next(1000);
    ASSERT_TRUE(block);
    if (!block->has_value()) break;
    const Block& b = **block;
    if (joined.size() + b.bytes.size() < text.size()) {
      EXPECT_GE(b.bytes.size(), 1000u);  // all but the last
    }
    EXPECT_LT(b.bytes.size(), 1100u);
    EXPECT_EQ(b.bytes.back(), '\n');
    EXPECT_GE(b.bytes.capacity() - b.bytes.size(), simdjson::SIMDJSON_PADDING);
    EXPECT_EQ(b.first_line, expected_line);
    EXPECT_EQ(b.index, index++);
    expected_line += CountNewlines(b.bytes.data(), b.bytes.data() + b.bytes.size());
    joined += b.bytes;
    EXPECT_EQ((*source)->bytes_read(), joined.size());
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ((*source)->file_size(), text.size());
}

TEST(BlockSource, RecordLongerThanTheTargetIsOneBlock) {
  TempDir dir;
  std::string long_line = "{\"k\":\"" + std::string(3 << 20, 'x') + "\"}\n";
  auto source = RecordSource::Open(dir.Write("x.jsonl", "{}\n" + long_line + "{}"));
  ASSERT_TRUE(source);
  std::vector<size_t> sizes;
  for (;;) {
    auto block = (*source)->Next(2);
    ASSERT_TRUE(block);
    if (!block->has_value()) break;
    sizes.push_back((*block)->bytes.size());
  }
  EXPECT_THAT(sizes, ElementsAre(3u, long_line.size(), 2u));
}

TEST(BlockSource, JsonlBomIsDropped) {
  TempDir dir;
  auto source = RecordSource::Open(dir.Write("x.ndjson", "\xEF\xBB\xBF{}\n"));
  ASSERT_TRUE(source);
  auto block = (*source)->Next();
  ASSERT_TRUE(block && block->has_value());
  EXPECT_EQ((*block)->bytes, "{}\n");
  EXPECT_EQ((*block)->first_line, 1u);
}

}  // namespace
}  // namespace leadscore::ingest
