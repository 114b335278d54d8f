// Versioned schema migrations, run when a store is opened.
//
// The scripts are src/store/schema/NNN_name.sql, compiled into the binary; the few words where
// SQLite and PostgreSQL differ are placeholders filled in per dialect, and a step the two
// take differently has a file for each (NNN_name.sqlite.sql, NNN_name.postgres.sql). Each runs
// in its own transaction together with the row that records it in `schema_migrations`, so a
// crash leaves the store at the version before or after, never between. Two processes that
// open the same store at once serialize on the migrations table; the second finds the work
// done.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "store/sql.h"

namespace leadscore::store {

struct Migration {
  int version = 0;
  std::string name;  // "001_core.sql"
  std::string sql;
};

// The dialect's migrations, in version order.
std::vector<Migration> MigrationsFor(Dialect dialect);

// The store's schema version: 0 for an empty store.
Result<int> SchemaVersion(SqlConnection& db);

// Applies the migrations after the store's version, up to `target` (-1: the newest). Fails
// when the store is newer than this binary knows.
Status Migrate(SqlConnection& db, int target = -1);

}  // namespace leadscore::store
