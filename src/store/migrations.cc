#include "store/migrations.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "store/schema_files.h"

namespace leadscore::store {
namespace {

constexpr std::string_view kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT "
    "NULL, applied_at BIGINT NOT NULL)";

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int> CurrentVersion(SqlConnection& db) {
  LS_ASSIGN_OR_RETURN(auto rows, db.Query("SELECT MAX(version) FROM schema_migrations"));
  if (rows.empty() || rows[0].is_null(0)) return 0;
  return static_cast<int>(rows[0].Int(0));
}

}  // namespace

std::vector<Migration> MigrationsFor(Dialect dialect) {
  std::string_view folder = dialect == Dialect::kSqlite ? "sqlite" : "postgres";
  std::vector<Migration> out;
  for (const SchemaFile& file : SchemaFiles()) {
    if (file.dialect != folder) continue;
    out.push_back(
        {std::atoi(std::string(file.name).c_str()), std::string(file.name), std::string(file.sql)});
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

Result<int> SchemaVersion(SqlConnection& db) {
  LS_RETURN_IF_ERROR(db.Exec(kCreateTable));
  return CurrentVersion(db);
}

Status Migrate(SqlConnection& db, int target) {
  LS_RETURN_IF_ERROR(db.Exec(kCreateTable));
  auto migrations = MigrationsFor(db.dialect());
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (target < 0) target = newest;
  for (const Migration& m : migrations) {
    if (m.version > target) break;
    Status status = InTransaction(db, [&]() -> Status {
      if (db.dialect() == Dialect::kPostgres) {
        LS_RETURN_IF_ERROR(db.Exec("LOCK TABLE schema_migrations IN EXCLUSIVE MODE"));
      }
      LS_ASSIGN_OR_RETURN(int current, CurrentVersion(db));
      if (current > newest) {
        return FailedPrecondition(fmt::format(
            "{}: the store's schema is version {}, newer than this leadscore knows ({}); "
            "use a newer leadscore",
            db.name(), current, newest));
      }
      if (current >= m.version) return Status::Ok();  // done already, maybe by another process
      LS_RETURN_IF_ERROR(db.ExecScript(m.sql));
      std::vector<SqlValue> params{int64_t{m.version}, m.name, NowMicros()};
      LS_RETURN_IF_ERROR(db.Exec(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", params));
      return Status::Ok();
    });
    if (!status.ok()) {
      return Status(status.code(),
                    fmt::format("migration {} failed: {}", m.name, status.message()));
    }
  }
  LS_ASSIGN_OR_RETURN(int current, CurrentVersion(db));
  if (current > newest) {
    return FailedPrecondition(
        fmt::format("{}: the store's schema is version {}, newer than this leadscore knows ({}); "
                    "use a newer leadscore",
                    db.name(), current, newest));
  }
  return Status::Ok();
}

}  // namespace leadscore::store
