#include "store/sqlite_checkpointer.h"

#include <fmt/format.h>
#include <pthread.h>

#include "core/print_stderr.h"

namespace leadscore::store {

SqliteCheckpointer::SqliteCheckpointer(sqlite3* writer, const std::string& path)
    : writer_(writer), path_(path) {
  sqlite3_wal_hook(writer_, &SqliteCheckpointer::OnCommit, this);
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "ls-checkpoint");  // as top -H shows it
}

SqliteCheckpointer::~SqliteCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  sqlite3_wal_autocheckpoint(writer_, kWriterFrames);  // replaces the hook
}

int SqliteCheckpointer::OnCommit(void* self, sqlite3* db, const char* schema, int frames) {
  auto* c = static_cast<SqliteCheckpointer*>(self);
  bool wake = false;
  {
    std::lock_guard lock(c->mu_);
    if (frames < c->frames_) c->backfilled_ = 0;  // the log started over
    c->frames_ = frames;
    // Past kWriterFrames the thread stands aside: a checkpoint of its own running when the
    // writer's starts would make the writer's fail (SQLITE_BUSY), and the log grow.
    if (!c->wanted_ && frames < kWriterFrames && frames - c->backfilled_ >= kStartFrames) {
      c->wanted_ = wake = true;
    }
  }
  if (wake) c->cv_.notify_one();
  // Invariant 3: the rest of the log, mostly copied already. While the thread's checkpoint
  // runs, the writer's would fail (SQLITE_BUSY): it tries at each commit, and past
  // kMaxFrames waits for the thread's to end. Errors are ignored, as SQLite's own hook does.
  if (frames >= kWriterFrames) {
    std::unique_lock turn(c->checkpoint_mu_, std::defer_lock);
    if (frames >= kMaxFrames) {
      turn.lock();
    } else if (!turn.try_lock()) {
      return SQLITE_OK;
    }
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  return SQLITE_OK;
}

void SqliteCheckpointer::Run() {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    PrintToStderr("leadscore: cannot open {} to checkpoint its log: {}\n", path_,
                  db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close_v2(db);
    // The writer's own checkpoints (invariant 3) keep the log bounded.
    return;
  }
  // The copy is synced as the writer's commits are (synchronous=FULL syncs the database file
  // at the end of a checkpoint).
  sqlite3_exec(db, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || wanted_; });
      if (stopping_) break;
      if (frames_ >= kWriterFrames) {  // the writer's turn (see OnCommit)
        wanted_ = false;
        continue;
      }
    }
    int copied = 0;
    int rc;
    {
      std::lock_guard turn(checkpoint_mu_);
      rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied);
    }
    {
      std::lock_guard lock(mu_);
      wanted_ = false;
      // The log may have restarted since: only a count within it is kept.
      if (rc == SQLITE_OK && copied <= frames_) backfilled_ = copied;
    }
  }
  sqlite3_close_v2(db);
}

}  // namespace leadscore::store
