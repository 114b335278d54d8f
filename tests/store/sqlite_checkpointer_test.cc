// The log of a connection with background checkpoints (store/sqlite_checkpointer.h) is copied
// into the database file while the connection keeps committing, stays bounded, and loses
// nothing.
#include "store/sqlite_checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "store/sql.h"
#include "testutil/cli_runner.h"

namespace leadscore::store {
namespace {

namespace fs = std::filesystem;

// Commits `commits` transactions of `rows` rows of 8 KB each (about one 16 KB page per two
// rows) to `db`'s table t.
void Fill(SqlConnection& db, int commits, int rows, int& next_id) {
  const std::string blob(8000, 'x');
  for (int c = 0; c < commits; ++c) {
    ASSERT_TRUE(db.Begin().ok());
    for (int r = 0; r < rows; ++r) {
      std::vector<SqlValue> p{int64_t{next_id++}, blob};
      ASSERT_TRUE(db.Exec("INSERT INTO t (id, body) VALUES (?, ?)", p));
    }
    ASSERT_TRUE(db.Commit().ok());
  }
}

bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

TEST(SqliteCheckpointerTest, CopiesTheLogIntoTheFileWhileTheWriterCommits) {
  testutil::TempDir dir;
  const std::string path = (fs::path(dir.path()) / "store.db").string();
  auto db = OpenConnection(path, {.durable = false, .background_checkpoints = true});
  ASSERT_TRUE(db) << db.error().ToString();
  ASSERT_TRUE((*db)->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)").ok());
  const auto db_size = [&] { return fs::file_size(path); };
  const uintmax_t empty = db_size();
  // About 3,000 pages (48 MB): past the thread's start (1,024 frames), short of the writer's
  // own checkpoint (4,096), which SQLite's default hook would not reach either (32,768).
  int next_id = 0;
  Fill(**db, 60, 100, next_id);
  // Without the thread the file stays empty until the writer's checkpoint. With it, at least
  // half as many pages as the log held when the thread started: the log's frames repeat some
  // pages (a table's inner pages, rewritten by each commit), so fewer than kStartFrames distinct
  // ones may be copied when a busy machine lets the thread run only once (seen in CI: 1,002).
  const uintmax_t copied_at_least = uintmax_t{SqliteCheckpointer::kStartFrames} / 2 * 16384;
  EXPECT_TRUE(Eventually([&] { return db_size() >= empty + copied_at_least; }))
      << "database file " << db_size() << " bytes";
}

TEST(SqliteCheckpointerTest, TheLogStaysBoundedAndNothingIsLost) {
  testutil::TempDir dir;
  const std::string path = (fs::path(dir.path()) / "store.db").string();
  int next_id = 0;
  {
    auto db = OpenConnection(path, {.durable = false, .background_checkpoints = true});
    ASSERT_TRUE(db) << db.error().ToString();
    ASSERT_TRUE((*db)->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)").ok());
    // About 20,000 pages (330 MB) in small commits: a checkpoint beside a busy writer cannot
    // restart the log, so without the writer's own checkpoints the log would hold them all.
    // (The log file keeps the size it reached; a page is a 16,408-byte frame in it.)
    Fill(**db, 1000, 40, next_id);
    const uintmax_t log = fs::file_size(path + "-wal");
    EXPECT_LT(log, uintmax_t{SqliteCheckpointer::kMaxFrames + 100} * 16408) << "log bytes";
  }
  auto db = OpenConnection(path);
  ASSERT_TRUE(db);
  auto rows = (*db)->Query("SELECT count(*), sum(length(body)), max(id) FROM t");
  ASSERT_TRUE(rows) << rows.error().ToString();
  EXPECT_EQ((*rows)[0].Int(0), next_id);
  EXPECT_EQ((*rows)[0].Int(1), int64_t{next_id} * 8000);
  EXPECT_EQ((*rows)[0].Int(2), next_id - 1);
}

}  // namespace
}  // namespace leadscore::store
