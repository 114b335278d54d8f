// CsvSource: header reading (BOM, blank lines, delimiter choice) and quote-aware cutting.
#include "ingest/csv_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "ingest/ingest_test_util.h"

namespace leadscore::ingest {
namespace {

using ::leadscore::ingest::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr size_t npos = std::string_view::npos;

TEST(ChooseCsvDelimiter, CommaUnlessOnlySemicolonsOrTabs) {
  EXPECT_EQ(ChooseCsvDelimiter("a,b;c"), ',');
  EXPECT_EQ(ChooseCsvDelimiter("a;b;c"), ';');
  EXPECT_EQ(ChooseCsvDelimiter("a\tb\tc"), '\t');
  EXPECT_EQ(ChooseCsvDelimiter("a\tb;c\td"), '\t');
  EXPECT_EQ(ChooseCsvDelimiter("a\tb;c"), ';');
  EXPECT_EQ(ChooseCsvDelimiter("single"), ',');
  // A comma inside a quoted name is no delimiter.
  EXPECT_EQ(ChooseCsvDelimiter("Record ID;\"Revenue (EUR, est.)\";Size"), ';');
  EXPECT_EQ(ChooseCsvDelimiter("\"a,b\"\tc"), '\t');
  EXPECT_EQ(ChooseCsvDelimiter("\"a;b\",c"), ',');
}

TEST(FindCsvCut, CutsAfterTheFirstLineEndAtOrAfterTheTarget) {
  EXPECT_EQ(FindCsvCut("ab\ncd\nef\n", 1, ','), 3u);
  EXPECT_EQ(FindCsvCut("ab\ncd\nef\n", 3, ','), 3u);
  EXPECT_EQ(FindCsvCut("ab\ncd\nef\n", 4, ','), 6u);
  EXPECT_EQ(FindCsvCut("ab\ncd", 4, ','), npos);
}

TEST(FindCsvCut, SkipsNewlinesInsideQuotedFields) {
  EXPECT_EQ(FindCsvCut("\"a\nb\",c\nd\n", 1, ','), 8u);
  EXPECT_EQ(FindCsvCut("x,\"a\n\"\"\nb\"\nd\n", 1, ','), 11u);
  EXPECT_EQ(FindCsvCut("x;\"a\nb\"\n", 1, ';'), 8u);
}

TEST(FindCsvCut, QuoteInsideAFieldIsLiteral) {
  EXPECT_EQ(FindCsvCut("ab\"c\nd\n", 1, ','), 5u);
  EXPECT_EQ(FindCsvCut("\"a\"b\"c\nd\n", 1, ','), 7u);
}

TEST(FindCsvCut, NeedsMoreDataInsideAQuoteOrOnAFinalQuote) {
  EXPECT_EQ(FindCsvCut("a,\"open\n", 1, ','), npos);
  EXPECT_EQ(FindCsvCut("a,\"x\"", 1, ','), npos);  // "" may follow
}

// The rule of csv_source.h one byte at a time: what FindCsvCut's scans must agree with. A field
// still open `max_quoted` bytes after its opening quote is unterminated: the first line of its
// record ends a record, and the bytes after it are read from outside any field.
size_t ReferenceCut(std::string_view data, size_t target, char delimiter,
                    size_t max_quoted = SIZE_MAX) {
  const size_t want = std::min(data.size(), target > 0 ? target - 1 : 0);
  bool inside = false;
  size_t open = 0, record = 0;
  for (size_t i = 0; i <= data.size(); ++i) {
    if (inside && i - open >= max_quoted) {
      const size_t line_end = data.find('\n', record);
      if (line_end == npos) return npos;
      if (line_end >= want) return line_end + 1;
      inside = false;
      record = line_end + 1;
      i = line_end;
      continue;
    }
    if (i == data.size()) break;
    const char c = data[i];
    if (inside) {
      if (c != '"') continue;
      if (i + 1 == data.size()) return npos;
      if (data[i + 1] == '"') {
        ++i;
      } else {
        inside = false;
      }
    } else if (c == '"') {
      inside = i == record || data[i - 1] == delimiter || data[i - 1] == '\n';
      open = i;
    } else if (c == '\n') {
      if (i >= want) return i + 1;
      record = i + 1;
    }
  }
  return npos;
}

TEST(FindCsvCut, AgreesWithTheRuleOnRandomData) {
  testing::TestRandom random(7);
  for (int round = 0; round < 200000; ++round) {
    const std::string data = random.Text("ab,;\"\"\n\r", random.Next(round % 10 == 0 ? 400 : 60));
    const size_t target = 1 + random.Next(data.size() + 1);
    const char delimiter = random.Next(2) == 0 ? ',' : ';';
    ASSERT_EQ(FindCsvCut(data, target, delimiter), ReferenceCut(data, target, delimiter))
        << "data \"" << data << "\" target " << target << " delimiter " << delimiter;
  }
}

// The same with fields bounded to a few bytes, so that the bound falls everywhere: on a quote,
// on a doubled quote's halves, on a newline, at the end of the data.
TEST(FindCsvCut, AgreesWithTheRuleOnUnterminatedFields) {
  testing::TestRandom random(11);
  const std::string_view alphabet = "ab,\"\n\ncd";
  for (int round = 0; round < 200000; ++round) {
    const std::string data = random.Text(alphabet, random.Next(round % 10 == 0 ? 300 : 50));
    const size_t target = 1 + random.Next(data.size() + 1);
    const size_t max_quoted = 1 + random.Next(12);
    ASSERT_EQ(FindCsvCut(data, target, ',', max_quoted),
              ReferenceCut(data, target, ',', max_quoted))
        << "data \"" << data << "\" target " << target << " bound " << max_quoted;
  }
  // Past the 16-byte steps of the walk too.
  for (int round = 0; round < 20000; ++round) {
    std::string data(200 + random.Next(400), 'x');
    for (int k = 0; k < 12; ++k)
      data[random.Next(data.size())] = alphabet[random.Next(alphabet.size())];
    const size_t target = 1 + random.Next(data.size() + 1);
    const size_t max_quoted = 1 + random.Next(100);
    ASSERT_EQ(FindCsvCut(data, target, ',', max_quoted),
              ReferenceCut(data, target, ',', max_quoted))
        << "data \"" << data << "\" target " << target << " bound " << max_quoted;
  }
}

// `data` may be much longer than a block (the rest of the input), so the cut must read only
// up to the record end it returns: here the page after the rows cannot be read at all, and a
// search for a quote beyond them (as a file without quotes once had, over the whole file for
// every block) fails the test with a crash.
TEST(FindCsvCut, ReadsNoFurtherThanTheRecordEndItReturns) {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  void* map = ::mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(map, MAP_FAILED);
  char* bytes = static_cast<char*>(map);
  std::string rows = "1,\"a\nb\",c\n";  // a quoted newline before the target
  while (rows.size() + 12 <= page) rows += "2,plain,row\n";
  rows.resize(page, 'x');  // the last record runs into the unreadable page
  std::memcpy(bytes, rows.data(), page);
  ASSERT_EQ(::mprotect(bytes + page, page, PROT_NONE), 0);
  const std::string_view data(bytes, 2 * page);  // pending bytes that run past the block
  for (size_t target : {size_t{1}, size_t{100}, size_t{1000}}) {
    const size_t expected = rows.find('\n', std::max<size_t>(target - 1, 8)) + 1;
    EXPECT_EQ(FindCsvCut(data, target, ','), expected) << "target " << target;
  }
  ::munmap(map, 2 * page);
}

TEST(CsvSource, DropsBomAndReadsQuotedHeader) {
  TempDir dir;
  auto source = RecordSource::Open(dir.Write("h.csv", "\xEF\xBB\xBF\"lead id\",\"a,b\"\n1,2\n"));
  ASSERT_TRUE(source) << source.error().ToString();
  EXPECT_THAT((*source)->header(), ElementsAre("lead id", "a,b"));
  EXPECT_EQ((*source)->delimiter(), ',');
  EXPECT_EQ((*source)->format(), Format::kCsv);
  auto block = (*source)->Next();
  ASSERT_TRUE(block && block->has_value());
  EXPECT_EQ((*block)->text(), "1,2\n");
  EXPECT_EQ((*block)->first_line, 2u);
}

TEST(CsvSource, HeaderSpanningLinesMovesTheFirstLine) {
  TempDir dir;
  auto source = RecordSource::Open(dir.Write("h.csv", "\"a\nb\",c\n1,2\n"));
  ASSERT_TRUE(source);
  EXPECT_THAT((*source)->header(), ElementsAre("a\nb", "c"));
  auto block = (*source)->Next();
  ASSERT_TRUE(block && block->has_value());
  EXPECT_EQ((*block)->first_line, 3u);
}

TEST(CsvSource, BlankLinesBeforeTheHeaderAreSkipped) {
  TempDir dir;
  auto result = testing::ReadAll(dir.Write("h.csv", "\r\n\nid\n7\n"), {"id"});
  ASSERT_TRUE(result.status.ok());
  EXPECT_THAT(result.header, ElementsAre("id"));
  EXPECT_THAT(testing::RowsAsText(result.rows), ElementsAre("4: \"7\""));
}

TEST(CsvSource, EmptyFileHasNoHeaderAndNoBlocks) {
  TempDir dir;
  for (std::string_view text : {"", "\xEF\xBB\xBF", "\n\r\n"}) {
    auto result = testing::ReadAll(dir.Write("e.csv", text), {"id"});
    EXPECT_TRUE(result.status.ok());
    EXPECT_THAT(result.header, IsEmpty());
    EXPECT_EQ(result.blocks, 0u);
  }
}

TEST(CsvSource, HeaderOnlyFileHasNoBlocks) {
  TempDir dir;
  auto result = testing::ReadAll(dir.Write("h.csv", "a;b\r\n"), {"a"});
  EXPECT_TRUE(result.status.ok());
  EXPECT_THAT(result.header, ElementsAre("a", "b"));
  EXPECT_EQ(result.blocks, 0u);
}

TEST(CsvSource, UnclosedQuoteInTheHeaderFailsOpen) {
  TempDir dir;
  auto source = RecordSource::Open(dir.Write("h.csv", "a,\"b\n1,2\n"));
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(source.error().message().find(":1: unterminated"), std::string::npos);
}

TEST(CsvSource, TinyTargetsGiveOneRecordPerBlockAndNeverSplitAQuote) {
  TempDir dir;
  const std::string text = "a,b\n1,\"x\ny\"\n2,z\n3,w";
  auto source = RecordSource::Open(dir.Write("t.csv", text));
  ASSERT_TRUE(source);
  std::vector<std::string> blocks;
  std::vector<uint64_t> lines;
  for (;;) {
    auto block = (*source)->Next(1);
    ASSERT_TRUE(block);
    if (!block->has_value()) break;
    EXPECT_EQ((*block)->index, blocks.size());
    blocks.push_back(std::string((*block)->text()));
    lines.push_back((*block)->first_line);
  }
  EXPECT_THAT(blocks, ElementsAre("1,\"x\ny\"\n", "2,z\n", "3,w"));
  EXPECT_THAT(lines, ElementsAre(2u, 4u, 5u));
  EXPECT_EQ((*source)->bytes_read(), text.size());
}

// A stray opening quote near the start of a file far larger than kMaxQuotedBytes: the file is
// still cut into blocks of about the size asked for (rather than the rest of it taken into one
// block, or, past 256 MiB, the run failed), and only the quote's line is lost.
TEST(CsvSource, AStrayQuoteInALargeFileCostsItsLineNotTheRest) {
  TempDir dir;
  std::string text = "id,note\n1,\"stray\n";
  const std::string note(1000, 'n');
  size_t rows = 0;
  while (text.size() < kMaxQuotedBytes + (size_t{8} << 20)) {
    text += std::to_string(rows + 2) + "," + note + "\n";
    ++rows;
  }
  const std::string path = dir.Write("big.csv", text);
  text.clear();
  auto result = testing::ReadAll(path, {"id"}, size_t{4} << 20);
  ASSERT_TRUE(result.status.ok()) << result.status.message();
  EXPECT_THAT(testing::ErrorsAsText(result.errors), ElementsAre("2: unterminated quoted field"));
  ASSERT_EQ(result.rows.size(), rows);
  EXPECT_EQ(result.rows.front().line, 3u);
  std::string last = "\"";
  (last += std::to_string(rows + 1)) += '"';
  EXPECT_EQ(result.rows.back().values[0], last);
  EXPECT_GT(result.blocks, 16u);
}

}  // namespace
}  // namespace leadscore::ingest
