// BlockSource (through JsonlSource): block sizes, padding, line numbers, indices, progress.
#include "ingest/block_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

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
    const std::string_view bytes = b.text();
    if (joined.size() + bytes.size() < text.size()) {
      EXPECT_GE(bytes.size(), 1000u);  // all but the last
    }
    EXPECT_LT(bytes.size(), 1100u);
    EXPECT_EQ(bytes.back(), '\n');
    EXPECT_GE(b.readable() - bytes.size(), simdjson::SIMDJSON_PADDING);
    EXPECT_EQ(b.first_line, expected_line);
    EXPECT_EQ(b.index, index++);
    expected_line += CountNewlines(bytes.data(), bytes.data() + bytes.size());
    joined += bytes;
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
    sizes.push_back((*block)->text().size());
  }
  EXPECT_THAT(sizes, ElementsAre(3u, long_line.size(), 2u));
}

// What a source gives for one text, the bound on a record set to 1 MiB: the blocks' bytes
// joined, each block's first line, and the problems reported.
struct ReadBack {
  std::string text;
  std::vector<uint64_t> first_lines;
  std::vector<RowError> problems;
};
ReadBack ReadWithBound(const std::string& path, size_t target) {
  ReadBack out;
  auto source = RecordSource::Open(path);
  EXPECT_TRUE(source);
  if (!source) return out;
  (*source)->set_max_record_bytes(size_t{1} << 20);
  for (;;) {
    auto block = (*source)->Next(target);
    EXPECT_TRUE(block) << (block ? "" : block.error().message());
    if (!block || !block->has_value()) break;
    out.text += (*block)->text();
    out.first_lines.push_back((*block)->first_line);
    if ((*block)->read_error) out.problems.push_back(*(*block)->read_error);
    (*source)->Recycle(std::move(**block));
  }
  return out;
}

// A line past the bound (no newline for megabytes: a binary file, a broken export) costs that
// line, reported at its number; the lines before and after it are read, numbered as in the
// file. Wherever it lies: first, between others, last without a newline, twice in a row; and
// whatever the block size, so that the records before it sometimes share its block.
TEST(BlockSource, ALinePastTheBoundIsSkippedAndTheRestRead) {
  const std::string long_line = std::string(3 << 20, 'x');
  const std::string good = "{\"i\":1}\n{\"i\":2}\n";
  struct Case {
    std::string text, expected;
    std::vector<uint64_t> lines;  // of the problems
  };
  const std::vector<Case> cases = {
      {long_line + "\n" + good, good, {1}},
      {good + long_line + "\n" + good, good + good, {3}},
      {good + long_line, good, {3}},
      {good + long_line + "\n" + long_line + "\n" + good, good + good, {3, 4}},
  };
  for (size_t target : {size_t{1}, size_t{100}, size_t{64} << 10}) {
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      TempDir dir;
      const ReadBack got = ReadWithBound(dir.Write("x.jsonl", c.text), target);
      // Compared whole, printed short: a failure would print megabytes.
      EXPECT_TRUE(got.text == c.expected)
          << "case " << i << ", target " << target << ": " << got.text.size() << " bytes read";
      std::vector<uint64_t> lines;
      for (const RowError& p : got.problems) {
        lines.push_back(p.line);
        EXPECT_EQ(p.message, "this line is longer than 1 MiB");
      }
      EXPECT_EQ(lines, c.lines) << "case " << i << ", target " << target;
    }
  }
  // The lines after it keep their numbers.
  TempDir dir;
  const ReadBack got = ReadWithBound(dir.Write("x.jsonl", good + long_line + "\n" + good), 1);
  EXPECT_THAT(got.first_lines, ElementsAre(1u, 2u, 3u, 4u, 5u));
}

// In CSV, a quoted cell that runs over lines and past the bound is one record: it is skipped
// to the end of the line where it passes the bound, the report names those lines, and the lines
// after them are read, numbered as in the file.
TEST(BlockSource, ACsvRecordPastTheBoundNamesTheLinesSkipped) {
  std::string quoted = "b,\"";
  for (int i = 0; i < 12; ++i) quoted += std::string(300000, 'q') + "\n";  // 3.6 MB, 12 lines
  quoted += "\"\n";
  TempDir dir;
  const ReadBack got = ReadWithBound(dir.Write("x.csv", "id,v\na,1\n" + quoted + "c,3\n"), 1);
  ASSERT_EQ(got.problems.size(), 1u);
  EXPECT_EQ(got.problems[0].line, 3u);
  const std::string prefix = "a record longer than 1 MiB (an unclosed quote?) over lines 3-";
  ASSERT_TRUE(got.problems[0].message.starts_with(prefix)) << got.problems[0].message;
  const uint64_t last = std::stoull(got.problems[0].message.substr(prefix.size()));
  EXPECT_GT(last, 3u);
  EXPECT_LT(last, 15u);
  // Blocks: "a,1" (line 2), the report (line 3), then the lines after the last one skipped.
  ASSERT_GE(got.first_lines.size(), 3u);
  EXPECT_EQ(got.first_lines[0], 2u);
  EXPECT_EQ(got.first_lines[1], 3u);
  EXPECT_EQ(got.first_lines[2], last + 1);
  EXPECT_TRUE(got.text.starts_with("a,1\nqqq"));
  EXPECT_TRUE(got.text.ends_with("q\n\"\nc,3\n"));
  EXPECT_EQ(CountNewlines(got.text.data(), got.text.data() + got.text.size()), 1 + (16 - last));
}

TEST(BlockSource, JsonlBomIsDropped) {
  TempDir dir;
  auto source = RecordSource::Open(dir.Write("x.ndjson", "\xEF\xBB\xBF{}\n"));
  ASSERT_TRUE(source);
  auto block = (*source)->Next();
  ASSERT_TRUE(block && block->has_value());
  EXPECT_EQ((*block)->text(), "{}\n");
  EXPECT_EQ((*block)->first_line, 1u);
}

// A regular file and a pipe (whose reads come in pieces of the pipe's size) must cut the same
// bytes at the same places, each block with its padding readable, whatever the file's size
// against a page.
TEST(BlockSource, FileAndPipeGiveTheSameBlocks) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  for (size_t size : {page - 1, page, 3 * page, 3 * page + 70, size_t{100000}}) {
    std::string text;
    for (int i = 0; text.size() < size; ++i) text += "{\"i\":" + std::to_string(i) + "}\n";
    text.resize(size - 1);
    text += '\n';
    TempDir dir;
    const std::string file = dir.Write("x.jsonl", text);
    const std::string fifo = dir.path() + "/pipe.jsonl";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << text; });
    auto blocks_of = [](const std::string& path) {
      std::vector<std::pair<std::string, uint64_t>> blocks;
      auto source = RecordSource::Open(path);
      EXPECT_TRUE(source);
      if (!source) return blocks;
      for (;;) {
        auto block = (*source)->Next(1000);
        EXPECT_TRUE(block);
        if (!block || !block->has_value()) break;
        const Block& b = **block;
        EXPECT_GE(b.readable() - b.text().size(), simdjson::SIMDJSON_PADDING);
        // Every readable byte can be read (under ASan, a read past the buffer fails here).
        volatile char sink = 0;
        for (size_t i = 0; i < b.readable(); ++i) sink = sink ^ b.text().data()[i];
        blocks.emplace_back(std::string(b.text()), b.first_line);
        (*source)->Recycle(std::move(**block));
      }
      return blocks;
    };
    auto from_pipe = blocks_of(fifo);
    writer.join();
    auto from_file = blocks_of(file);
    EXPECT_EQ(from_file, from_pipe) << size;
    std::string joined;
    for (const auto& [bytes, line] : from_file) joined += bytes;
    EXPECT_EQ(joined, text) << size;
  }
}

}  // namespace
}  // namespace leadscore::ingest
