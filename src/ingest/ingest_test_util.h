// Test helpers for the ingest tests only: a temporary directory, file writers (plain and gzip)
// and a RowSink that records rows as text so expectations read like the input.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/record_source.h"

namespace leadscore::ingest::testing {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ingest_test_XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `bytes` to `name` inside the directory; returns the full path.
  std::string Write(const std::string& name, std::string_view bytes) const {
    std::string path = (std::filesystem::path(path_) / name).string();
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good());
    return path;
  }

  // Writes `bytes` gzip-compressed (zlib's gzwrite), as one member per element of `members`
  // when given, else one member.
  std::string WriteGzip(const std::string& name, const std::vector<std::string>& members) const {
    std::string path = (std::filesystem::path(path_) / name).string();
    bool first = true;
    for (const std::string& member : members) {
      gzFile file = gzopen(path.c_str(), first ? "wb" : "ab");
      EXPECT_NE(file, nullptr);
      if (!member.empty()) {
        EXPECT_EQ(gzwrite(file, member.data(), static_cast<unsigned>(member.size())),
                  static_cast<int>(member.size()));
      }
      EXPECT_EQ(gzclose(file), Z_OK);
      first = false;
    }
    return path;
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Records every row as {line, Value::ToString() of each slot, "json " before the JSON text of
// an array or an object}, every error and every warning.
// Deterministic random inputs for tests (a 64-bit LCG): the same data on every run.
class TestRandom {
 public:
  explicit TestRandom(uint64_t seed) : state_(seed) {}
  // A number in [0, n).
  uint64_t Next(uint64_t n) {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return (state_ >> 33) % n;
  }
  // `length` bytes, each drawn from `alphabet`.
  std::string Text(std::string_view alphabet, size_t length) {
    std::string out(length, ' ');
    for (char& c : out) c = alphabet[Next(alphabet.size())];
    return out;
  }

 private:
  uint64_t state_;
};

class RecordingSink : public RowSink {
 public:
  struct Row {
    uint64_t line;
    std::vector<std::string> values;
  };
  void OnRow(uint64_t line, std::span<const Value> values) override {
    Row row{line, {}};
    for (const Value& value : values) {
      row.values.push_back((value.is_json_text() ? "json " : "") + value.ToString());
    }
    rows.push_back(std::move(row));
  }
  void OnError(RowError error) override { errors.push_back(std::move(error)); }
  void OnWarning(RowError warning) override { warnings.push_back(std::move(warning)); }

  std::vector<Row> rows;
  std::vector<RowError> errors;
  std::vector<RowError> warnings;
};

struct ReadResult {
  Status status;
  std::vector<std::string> header;
  std::vector<RecordingSink::Row> rows;
  std::vector<RowError> errors;
  std::vector<RowError> warnings;
  size_t blocks = 0;
};

// Opens `path`, cuts it into blocks of about `target_bytes`, parses each with a fresh view of
// `wanted`, and returns everything seen.
inline ReadResult ReadAll(const std::string& path, const std::vector<std::string>& wanted,
                          size_t target_bytes = 4 << 20) {
  ReadResult result;
  auto source = RecordSource::Open(path);
  if (!source) {
    result.status = source.error();
    return result;
  }
  result.header = (*source)->header();
  std::unique_ptr<BlockParser> parser = BlockParser::Create(**source, wanted);
  RecordingSink sink;
  for (;;) {
    auto block = (*source)->Next(target_bytes);
    if (!block) {
      result.status = block.error();
      break;
    }
    if (!block->has_value()) break;
    ++result.blocks;
    parser->Parse(**block, sink);
  }
  result.rows = std::move(sink.rows);
  result.errors = std::move(sink.errors);
  result.warnings = std::move(sink.warnings);
  return result;
}

// "line: v1 | v2 | ..." for compact expectations.
inline std::vector<std::string> RowsAsText(const std::vector<RecordingSink::Row>& rows) {
  std::vector<std::string> out;
  for (const auto& row : rows) {
    std::string text = std::to_string(row.line) + ":";
    for (size_t i = 0; i < row.values.size(); ++i) text += (i == 0 ? " " : " | ") + row.values[i];
    out.push_back(text);
  }
  return out;
}

// "line: message" for each error.
inline std::vector<std::string> ErrorsAsText(const std::vector<RowError>& errors) {
  std::vector<std::string> out;
  for (const auto& error : errors) out.push_back(std::to_string(error.line) + ": " + error.message);
  return out;
}

// Rows, errors and warnings of a file, as text.
struct Parsed {
  std::vector<std::string> rows;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

// Writes `content` to a file called `name` (its extension picks the format), reads it with
// every block size in `targets`, checks that they all agree, and returns the result.
inline Parsed ParseWithEveryBlockSize(std::string_view content, const std::string& name,
                                      const std::vector<std::string>& wanted,
                                      std::initializer_list<size_t> targets) {
  TempDir dir;
  std::string path = dir.Write(name, content);
  std::optional<Parsed> first;
  for (size_t target : targets) {
    auto result = ReadAll(path, wanted, target);
    EXPECT_TRUE(result.status.ok()) << result.status.ToString();
    Parsed parsed{RowsAsText(result.rows), ErrorsAsText(result.errors),
                  ErrorsAsText(result.warnings)};
    if (!first) {
      first = parsed;
    } else {
      EXPECT_EQ(parsed.rows, first->rows) << "target_bytes " << target;
      EXPECT_EQ(parsed.errors, first->errors) << "target_bytes " << target;
      EXPECT_EQ(parsed.warnings, first->warnings) << "target_bytes " << target;
    }
  }
  return *first;
}

}  // namespace leadscore::ingest::testing
