#include "store/sqlite_connection.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <unordered_map>

#include "store/sqlite_checkpointer.h"

namespace leadscore::store {
namespace {

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, std::max<size_t>(slash, 1));
}

// Why a database is read-only, where a user can tell: the file itself, or its directory, where
// SQLite writes its write-ahead log and shared memory (the -wal and -shm files).
std::string ReadOnlyCause(const std::string& path) {
  if (access(path.c_str(), W_OK) != 0) return fmt::format(" (the file {} is read-only)", path);
  const std::string dir = DirectoryOf(path);
  if (access(dir.c_str(), W_OK) != 0) {
    return fmt::format(
        " (its directory {} is not writable, and SQLite keeps its -wal and -shm "
        "files beside it)",
        dir);
  }
  return "";
}

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override {
    checkpointer_.reset();  // before the connection it watches closes
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string name() const override { return path_; }

  Result<ExecResult> Exec(std::string_view sql, std::span<const SqlValue> params) override {
    LS_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    Status status = rc == SQLITE_DONE ? Status::Ok() : Failure(sql);
    sqlite3_reset(stmt);
    if (!status.ok()) return Error(status);
    return ExecResult{sqlite3_changes64(db_)};
  }

  Status QueryEach(std::string_view sql, std::span<const SqlValue> params,
                   const RowVisitor& visit) override {
    LS_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    const int columns = sqlite3_column_count(stmt);
    std::vector<SqlValue> row(static_cast<size_t>(columns));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            row[c] = static_cast<int64_t>(sqlite3_column_int64(stmt, c));
            break;
          case SQLITE_FLOAT:
            row[c] = sqlite3_column_double(stmt, c);
            break;
          case SQLITE_NULL:
            row[c] = std::monostate{};
            break;
          default: {
            const char* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            row[c] = std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c)));
          }
        }
      }
      visit(row);
    }
    Status status = rc == SQLITE_DONE ? Status::Ok() : Failure(sql);
    sqlite3_reset(stmt);
    return status;
  }

  Status ExecScript(std::string_view sql) override {
    std::string text(sql);
    char* message = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string what = message ? message : "unknown error";
      sqlite3_free(message);
      if ((sqlite3_extended_errcode(db_) & 0xff) == SQLITE_READONLY) what += ReadOnlyCause(path_);
      return Internal(fmt::format("{}: {}", path_, what));
    }
    return Status::Ok();
  }

  // IMMEDIATE takes the write lock at once, so two writers wait on busy_timeout instead of
  // failing at their first write with SQLITE_BUSY (a deferred transaction cannot be retried).
  Status Begin() override { return StatusOf(Exec("BEGIN IMMEDIATE", {})); }
  // Deferred: the first read takes the snapshot, and no write lock is taken.
  Status BeginRead() override { return StatusOf(Exec("BEGIN", {})); }
  Status Commit() override { return StatusOf(Exec("COMMIT", {})); }
  Status Rollback() override { return StatusOf(Exec("ROLLBACK", {})); }

  void CheckpointInBackground() {
    checkpointer_ = std::make_unique<SqliteCheckpointer>(db_, path_);
  }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql, std::span<const SqlValue> params) {
    auto it = statements_.find(sql);
    sqlite3_stmt* stmt;
    if (it != statements_.end()) {
      stmt = it->second;
    } else {
      if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        return Error(Failure(sql));
      }
      statements_.emplace(std::string(sql), stmt);
    }
    sqlite3_clear_bindings(stmt);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return Error(Internal(fmt::format("{} parameters for {} placeholders in: {}", params.size(),
                                        sqlite3_bind_parameter_count(stmt), sql)));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i + 1);
      const SqlValue& v = params[i];
      int rc;
      if (const auto* n = std::get_if<int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, index, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else if (const auto* view = std::get_if<std::string_view>(&v)) {
        rc = sqlite3_bind_text64(stmt, index, view->data(), view->size(), SQLITE_STATIC,
                                 SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) return Error(Failure(sql));
    }
    return stmt;
  }

  Status Failure(std::string_view sql) {
    int code = sqlite3_extended_errcode(db_);
    std::string message =
        fmt::format("{}: {}{} (in: {})", path_, sqlite3_errmsg(db_),
                    (code & 0xff) == SQLITE_READONLY ? ReadOnlyCause(path_) : "", sql);
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return Status(StatusCode::kAlreadyExists, message);
    }
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
      return Status(StatusCode::kUnavailable, message);
    }
    if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB) return DataLoss(message);
    // The machine's doing (a full disk, an I/O error, a file made read-only), not a bug.
    switch (code & 0xff) {
      case SQLITE_FULL:
      case SQLITE_IOERR:
      case SQLITE_READONLY:
      case SQLITE_CANTOPEN:
      case SQLITE_PERM:
        return Status(StatusCode::kUnavailable, message);
      default:
        return Internal(message);
    }
  }

  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> statements_;
  std::unique_ptr<SqliteCheckpointer> checkpointer_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path,
                                                  const ConnectionOptions& options) {
  // Memory statistics take a global mutex on every allocation; nothing here reads them.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    if (const std::string dir = DirectoryOf(path); access(dir.c_str(), F_OK) != 0) {
      message += fmt::format(" (the directory {} does not exist)", dir);
    }
    return Error(Status(StatusCode::kUnavailable,
                        fmt::format("cannot open SQLite database {}: {}", path, message)));
  }
  sqlite3_busy_timeout(db, 10000);
  auto connection = std::make_unique<SqliteConnection>(db, path);
  std::string pragmas = fmt::format(
      // 16 KB pages for a new file (an existing one keeps its own): each page a commit
      // writes is a frame of the write-ahead log and one pwrite, and the event log, appended
      // to, fills whole pages (batched ingest: the writer thread's CPU time per event fell
      // by about a tenth against 4 KB, measured).
      "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous={}; "
      "PRAGMA foreign_keys=ON; "
      // A 64 MB page cache and reads through mmap (unless `map_file` is off): leads and scores
      // take writes at random places, and with the default 2 MB cache every write re-read
      // pages (batched ingest, when the event log had indexes: 56,000 -> 84,000 events/s with
      // these three settings).
      "PRAGMA cache_size=-65536; PRAGMA mmap_size={}; PRAGMA temp_store=MEMORY; "
      // Checkpoints every 512 MB of log (32,768 pages) instead of 4 MB: a page written many
      // times in between is copied to the database once (bulk ingest). With background
      // checkpoints, SqliteCheckpointer sets its own limits.
      "PRAGMA wal_autocheckpoint={};",
      options.durable ? "FULL" : "NORMAL", options.map_file ? 1073741824 : 0, 32768);
  // Processes that open one new file at once: the switch to WAL needs the file to itself, and
  // SQLite answers SQLITE_BUSY at once there rather than through the busy handler (seen: 2 of
  // 30 runs of six openers failed with "database is locked"). Retried for the busy timeout.
  Status status;
  for (int attempt = 0;; ++attempt) {
    status = connection->ExecScript(pragmas);
    if (status.ok() || (sqlite3_errcode(db) & 0xff) != SQLITE_BUSY || attempt == 1000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!status.ok()) {
    return Error(
        Status(StatusCode::kUnavailable,
               fmt::format("cannot use {} as a SQLite database: {}", path, status.message())));
  }
  if (options.background_checkpoints) connection->CheckpointInBackground();
  return connection;
}

}  // namespace leadscore::store
