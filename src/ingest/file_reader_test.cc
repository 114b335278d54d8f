// FileReader: plain and gzip input (written here with zlib's gzwrite), errors.
#include "ingest/file_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/ingest_test_util.h"

namespace leadscore::ingest {
namespace {

using ::leadscore::ingest::testing::TempDir;

std::string ReadEverything(FileReader& reader, Status* status, size_t chunk = 7) {
  std::string out;
  std::string buf(chunk, '\0');
  for (;;) {
    auto got = reader.Read(buf.data(), buf.size());
    if (!got) {
      *status = got.error();
      return out;
    }
    if (*got == 0) return out;
    out.append(buf.data(), *got);
  }
}

std::string SampleText() {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "row " + std::to_string(i) + ",x\n";
  return text;
}

TEST(FileReader, ReadsPlainFilesIncludingTinyOnes) {
  TempDir dir;
  for (std::string text : {std::string(), std::string("a"), std::string("\x1f"), SampleText()}) {
    auto reader = FileReader::Open(dir.Write("p.csv", text));
    ASSERT_TRUE(reader);
    EXPECT_FALSE((*reader)->compressed());
    Status status;
    EXPECT_EQ(ReadEverything(**reader, &status), text);
    EXPECT_TRUE(status.ok());
    EXPECT_EQ((*reader)->file_size(), text.size());
  }
}

TEST(FileReader, ReadsGzipByMagicNotByName) {
  TempDir dir;
  std::string text = SampleText();
  for (const char* name : {"g.csv.gz", "g.csv"}) {
    auto reader = FileReader::Open(dir.WriteGzip(name, {text}));
    ASSERT_TRUE(reader);
    EXPECT_TRUE((*reader)->compressed());
    Status status;
    EXPECT_EQ(ReadEverything(**reader, &status, 4096), text);
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_LT((*reader)->file_size(), text.size());
  }
}

// A file named .gz that is not gzip (bzip2, plain text) is refused as such, not read line by
// line into one "invalid JSON" report per line; an empty one is empty.
TEST(FileReader, AFileNamedGzThatIsNotGzipIsRefused) {
  TempDir dir;
  for (const char* name : {"plain.jsonl.gz", "PLAIN.JSONL.GZ"}) {
    const std::string path = dir.Write(name, "BZh91AY&SY\n{\"a\":1}\n");
    auto reader = FileReader::Open(path);
    ASSERT_FALSE(reader);
    EXPECT_EQ(reader.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(reader.error().message(), path + ": not a gzip file (its name ends in .gz)");
  }
  auto empty = FileReader::Open(dir.Write("empty.csv.gz", ""));
  ASSERT_TRUE(empty);
  Status status;
  EXPECT_EQ(ReadEverything(**empty, &status), "");
  EXPECT_TRUE(status.ok());
}

TEST(FileReader, ReadsConcatenatedGzipMembers) {
  TempDir dir;
  auto reader = FileReader::Open(dir.WriteGzip("m.jsonl.gz", {"first\n", "", "second\n"}));
  ASSERT_TRUE(reader);
  Status status;
  EXPECT_EQ(ReadEverything(**reader, &status, 3), "first\nsecond\n");
  EXPECT_TRUE(status.ok());
}

TEST(FileReader, TruncatedGzipIsDataLoss) {
  TempDir dir;
  std::string gz_path = dir.WriteGzip("t.csv.gz", {SampleText()});
  std::ifstream in(gz_path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t keep : {bytes.size() - 4, bytes.size() / 2, size_t{12}, size_t{2}}) {
    auto reader = FileReader::Open(dir.Write("cut.csv.gz", bytes.substr(0, keep)));
    ASSERT_TRUE(reader);
    Status status;
    ReadEverything(**reader, &status, 4096);
    EXPECT_EQ(status.code(), StatusCode::kDataLoss) << "keep " << keep;
  }
}

// Damage is not a cut-short file: none of a damaged stream is to be trusted (a stored block's
// bytes are only checked at the member's end), so it fails as invalid input, not as data loss.
TEST(FileReader, DamagedGzipIsInvalidAndZeroPaddingIsNot) {
  TempDir dir;
  std::string gz_path = dir.WriteGzip("c.csv.gz", {SampleText()});
  std::ifstream in(gz_path, std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  std::string flipped = good;
  for (size_t i = 20; i < 40; ++i) flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
  auto reader = FileReader::Open(dir.Write("bad.csv.gz", flipped));
  ASSERT_TRUE(reader);
  Status status;
  ReadEverything(**reader, &status, 4096);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("damaged gzip stream"), std::string::npos) << status.message();

  std::string bad_crc = good;
  bad_crc[bad_crc.size() - 8] = static_cast<char>(bad_crc[bad_crc.size() - 8] ^ 1);
  reader = FileReader::Open(dir.Write("crc.csv.gz", bad_crc));
  ASSERT_TRUE(reader);
  ReadEverything(**reader, &status, 4096);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("incorrect data check"), std::string::npos) << status.message();

  // Zero bytes after the last member are padding, as gzip(1) and Python's gzip read them.
  reader = FileReader::Open(dir.Write("padded.csv.gz", good + std::string(1000, '\0')));
  ASSERT_TRUE(reader);
  status = Status::Ok();
  EXPECT_EQ(ReadEverything(**reader, &status, 4096), SampleText());
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST(FileReader, MissingFileIsNotFoundAndDirectoryIsInvalid) {
  TempDir dir;
  auto missing = FileReader::Open(dir.path() + "/nope.csv");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  auto directory = FileReader::Open(dir.path());
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace leadscore::ingest
