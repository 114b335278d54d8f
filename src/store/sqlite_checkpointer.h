// SqliteCheckpointer: copies a SQLite database's write-ahead log back into the database file
// on a thread and connection of its own, so that the connection that commits does not stop
// for it.
//
// SQLite's own checkpoint runs inside the COMMIT that takes the log past its size limit: the
// committing connection copies every page written since the last one and fsyncs the file, and
// the live service's one writer, whose commits every request waits for, stopped for tens to
// hundreds of milliseconds at a time (bench/README.md). Here:
//  1. The writer's connection reports the log's size (in frames) after each commit
//     (sqlite3_wal_hook, which also turns SQLite's own checkpoints off on that connection).
//  2. Once kStartFrames frames were committed since the last checkpoint, the checkpointer's
//     connection copies what is committed (SQLITE_CHECKPOINT_PASSIVE: it waits for no writer
//     or reader, and a writer may append meanwhile).
//  3. The log can only start over from its beginning (instead of growing) at a write begun
//     after a checkpoint that copied all of it, which a checkpoint beside a busy writer never
//     does. So past kWriterFrames the writer checkpoints itself after its commit, as SQLite
//     would have, finding most of the log copied already: a short stop, and the log restarts.
//     The thread starts no checkpoint then: two checkpoints cannot run at once, and the
//     writer's fails while the thread's runs; past kMaxFrames the writer waits for the
//     thread's to end (under a loaded parallel test run, without that wait, the log grew past
//     twice kWriterFrames).
// A checkpoint that fails is retried at the next trigger; the data is safe in the log either
// way (the log is the durable copy until a checkpoint completes).
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace leadscore::store {

class SqliteCheckpointer {
 public:
  static constexpr int kStartFrames = 1024;   // 16 MB of 16 KB pages
  static constexpr int kWriterFrames = 4096;  // 64 MB
  static constexpr int kMaxFrames = 2 * kWriterFrames;

  // Checkpoints the log of `writer` (a connection in WAL mode to `path`) from now on.
  SqliteCheckpointer(sqlite3* writer, const std::string& path);
  // Stops the thread and gives the writer back SQLite's own checkpoints. Before `writer` closes.
  ~SqliteCheckpointer();

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int frames);
  void Run();

  sqlite3* writer_;
  std::string path_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::mutex checkpoint_mu_;  // held by whoever checkpoints (invariant 3)
  int frames_ = 0;            // in the log after the writer's last commit
  int backfilled_ = 0;        // of them, copied by the last checkpoint
  bool wanted_ = false;       // the thread has a checkpoint to do
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace leadscore::store
