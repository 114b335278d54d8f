// Tests for FileWriter: formatting, CSV quoting, large writes and error reporting.
#include "synth/file_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace leadscore::synth {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("leadscore_fw_" + name)).string();
}

TEST(FileWriter, FormatsNumbersTimesAndCsvFields) {
  const std::string path = TempPath("format.txt");
  auto writer = FileWriter::Open(path);
  ASSERT_TRUE(writer.has_value());
  FileWriter& out = **writer;
  out.AppendUint(0);
  out.Append(' ');
  out.AppendUint(42, 7);
  out.Append(' ');
  out.AppendUint(18446744073709551615ULL);
  out.Append(' ');
  out.AppendIsoSeconds(1714557600);
  out.Append(' ');
  out.AppendCsvField("plain");
  out.Append(' ');
  out.AppendCsvField("Acme, Inc.");
  out.Append(' ');
  out.AppendCsvField("Le \"Petit\" Atelier");
  EXPECT_EQ(ReadAll(path).size(), 0u);  // still in the buffer
  ASSERT_TRUE(out.Commit().ok());
  EXPECT_EQ(ReadAll(path),
            "0 0000042 18446744073709551615 2024-05-01T10:00:00Z plain \"Acme, Inc.\" "
            "\"Le \"\"Petit\"\" Atelier\"");
  EXPECT_EQ(out.bytes_written(), ReadAll(path).size());
  std::filesystem::remove(path);
}

TEST(FileWriter, WritesMoreThanItsBuffer) {
  const std::string path = TempPath("large.txt");
  auto writer = FileWriter::Open(path);
  ASSERT_TRUE(writer.has_value());
  const std::string chunk(1000, 'x');
  for (int i = 0; i < 3000; ++i) (*writer)->Append(chunk);
  (*writer)->Append(std::string(3 << 20, 'y'));
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(std::filesystem::file_size(path), 3000u * 1000 + (3u << 20));
  std::filesystem::remove(path);
}

TEST(FileWriter, OpenNamesThePathOnFailure) {
  auto writer = FileWriter::Open("/nonexistent-dir/x/leads.csv");
  ASSERT_FALSE(writer.has_value());
  EXPECT_EQ(writer.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(writer.error().message().find("/nonexistent-dir/x/leads.csv"), std::string::npos);
}

}  // namespace
}  // namespace leadscore::synth
