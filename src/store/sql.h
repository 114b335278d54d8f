// SqlConnection: the little of SQL the store needs, over SQLite or PostgreSQL.
//
// The Store writes its queries once, in the SQL both databases accept, with `?` placeholders;
// each connection turns them into its own form (`$1, $2` for PostgreSQL) and keeps prepared
// statements by query text, so a query is parsed once per connection. Values cross as
// SqlValue: null, 64-bit integer, double or text (a parameter may also be a string_view of text
// that outlives the call: bulk inserts bind event bodies without copying them; rows collected
// by Query own their text, rows visited by QueryEach view it). A connection is used by one
// thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace leadscore::store {

enum class Dialect { kSqlite, kPostgres };

using SqlValue = std::variant<std::monostate, int64_t, double, std::string, std::string_view>;

// One result row; column values in SELECT order.
struct SqlRow {
  std::vector<SqlValue> values;

  bool is_null(size_t i) const { return std::holds_alternative<std::monostate>(values[i]); }
  // Integer columns (text that holds an integer converts too); 0 for null.
  int64_t Int(size_t i) const;
  // Numeric columns; 0 for null.
  double Double(size_t i) const;
  // Text columns (numbers convert to their text); empty for null.
  std::string Text(size_t i) const;
  std::optional<std::string> OptionalText(size_t i) const;
};

struct ExecResult {
  int64_t rows_changed = 0;
};

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;

  virtual Dialect dialect() const = 0;
  // A short description for messages: the file path, or the server without the password.
  virtual std::string name() const = 0;

  // Runs a statement that returns no rows (INSERT / UPDATE / DELETE / DDL).
  virtual Result<ExecResult> Exec(std::string_view sql, std::span<const SqlValue> params = {}) = 0;
  // Runs a query, handing each row to `visit` in order: its text cells are string_views that
  // live until `visit` returns. For scans of millions of rows, which Query would copy one
  // allocation at a time.
  using RowVisitor = std::function<void(std::span<const SqlValue> row)>;
  virtual Status QueryEach(std::string_view sql, std::span<const SqlValue> params,
                           const RowVisitor& visit) = 0;
  // Runs a query; every row is collected.
  Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params = {});
  // Runs several statements without parameters (migration scripts).
  virtual Status ExecScript(std::string_view sql) = 0;

  virtual Status Begin() = 0;
  // Starts a transaction that only reads: every statement in it sees one snapshot, and no
  // write lock is taken.
  virtual Status BeginRead() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
};

struct ConnectionOptions {
  // SQLite commits survive a power loss (synchronous=FULL) rather than only a crash of the
  // process (NORMAL); PostgreSQL follows the server's settings.
  bool durable = true;
  // SQLite reads the file through a memory map, which suits a connection that reads a store
  // few write to. Not one that reads while another connection commits every millisecond: at
  // its first read after each such commit SQLite drops the map (and the page cache) and maps
  // the file anew, so each page it reads faults in again (the live rescorer under single-event
  // requests spent half its time there, bench/README.md).
  bool map_file = true;
  // SQLite: the log is checkpointed by a thread of the connection's own rather than inside the
  // commits of this connection (sqlite_checkpointer.h): for the one connection that writes
  // while requests wait for its commits.
  bool background_checkpoints = false;
};

// Opens a connection: a `postgresql://` or `postgres://` URL, else a SQLite file path (created
// when missing).
Result<std::unique_ptr<SqlConnection>> OpenConnection(const std::string& target,
                                                      ConnectionOptions options = {});

bool IsPostgresUrl(std::string_view target);

// Runs `body` in a transaction: commits when it returns OK, rolls back otherwise.
template <class F>
Status InTransaction(SqlConnection& db, F&& body) {
  LS_RETURN_IF_ERROR(db.Begin());
  Status status = body();
  if (!status.ok()) {
    (void)db.Rollback();
    return status;
  }
  return db.Commit();
}

// Runs `body`, which only reads, on one snapshot of the store (see BeginRead).
template <class F>
Status InReadTransaction(SqlConnection& db, F&& body) {
  LS_RETURN_IF_ERROR(db.BeginRead());
  Status status = body();
  Status ended = status.ok() ? db.Commit() : db.Rollback();
  return status.ok() ? ended : status;
}

}  // namespace leadscore::store
