#include "cli/same_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "testutil/cli_runner.h"

namespace leadscore::cli {
namespace {

namespace fs = std::filesystem;
using testutil::TempDir;

// Runs in `dir_`, so that relative paths name its files; the directory is restored after.
class SameFileTest : public testing::Test {
 protected:
  void SetUp() override {
    previous_ = fs::current_path();
    fs::current_path(dir_.path());
  }
  void TearDown() override { fs::current_path(previous_); }
  TempDir dir_;
  fs::path previous_;
};

TEST_F(SameFileTest, SpellingsOfAFileNotYetWrittenAreOneFile) {
  EXPECT_TRUE(SameFile("same.csv", dir_.File("same.csv")));
  EXPECT_TRUE(SameFile("./x.csv", "x.csv"));
  EXPECT_TRUE(SameFile("sub/../x.csv", "x.csv"));  // no sub yet
  fs::create_directory("sub");
  EXPECT_TRUE(SameFile("sub/../x.csv", "x.csv"));
  EXPECT_FALSE(SameFile("x.csv", "y.csv"));
  EXPECT_FALSE(SameFile("sub/x.csv", "x.csv"));
}

TEST_F(SameFileTest, ExistingFilesCompareByInode) {
  dir_.Write("a.csv", "a\n");
  dir_.Write("b.csv", "a\n");
  EXPECT_TRUE(SameFile("a.csv", dir_.File("a.csv")));
  EXPECT_FALSE(SameFile("a.csv", "b.csv"));
  fs::create_hard_link("a.csv", "hard.csv");
  EXPECT_TRUE(SameFile("hard.csv", "a.csv"));
  fs::create_symlink("a.csv", "soft.csv");
  EXPECT_TRUE(SameFile("soft.csv", "./a.csv"));
  fs::create_directory("links");
  fs::create_directory_symlink("..", "links/up");
  EXPECT_TRUE(SameFile("links/up/a.csv", "a.csv"));
}

TEST_F(SameFileTest, ADanglingLinkIsTheFileItWillCreate) {
  fs::create_symlink("later.csv", "link.csv");
  EXPECT_TRUE(SameFile("link.csv", "later.csv"));
  EXPECT_FALSE(SameFile("link.csv", "other.csv"));
}

TEST_F(SameFileTest, DevicesAreNeverTheSameFile) {
  EXPECT_FALSE(SameFile("/dev/null", "/dev/null"));
  fs::create_symlink("/dev/null", "null.csv");
  EXPECT_FALSE(SameFile("null.csv", "/dev/null"));
}

TEST_F(SameFileTest, AnOutputNamingAnInputOrAnotherOutputIsReported) {
  dir_.Write("events.jsonl", "{}\n");
  testing::internal::CaptureStderr();
  EXPECT_FALSE(OutputsAreDistinctOrReport(
      "score", {{"--leads", ""}, {"--events", "events.jsonl"}},
      {{"--output", "-"}, {"--accounts", ""}, {"--errors", "./events.jsonl"}}));
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "score: --errors and --events name the same file, events.jsonl (given to --errors as "
            "./events.jsonl); nothing was read or written\n");

  testing::internal::CaptureStderr();
  EXPECT_FALSE(OutputsAreDistinctOrReport("score", {{"--events", "events.jsonl"}},
                                          {{"--output", "out.csv"}, {"--accounts", "out.csv"}}));
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "score: --accounts and --output name the same file, out.csv; nothing was read or "
            "written\n");

  testing::internal::CaptureStderr();
  EXPECT_FALSE(OutputsAreDistinctOrReport("score", {{"--leads", "-"}, {"--events", "-"}}, {}));
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "score: --leads and --events both read standard input (-), which can be read once; "
            "give one of them a file; nothing was read or written\n");

  // "-" is standard input or output, and an empty path a flag not given.
  EXPECT_TRUE(OutputsAreDistinctOrReport("score", {{"--leads", "-"}, {"--events", ""}},
                                         {{"--output", "-"}, {"--accounts", ""}}));
  EXPECT_TRUE(OutputsAreDistinctOrReport("score", {{"--events", "events.jsonl"}},
                                         {{"--output", "out.csv"}, {"--errors", "errors.txt"}}));
}

}  // namespace
}  // namespace leadscore::cli
