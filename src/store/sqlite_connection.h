// The SQLite side of SqlConnection.
//
// Invariants:
//  1. The database runs in WAL mode: readers never block the writer and a commit is one append
//     to the log. With `durable`, synchronous=FULL fsyncs the log at each commit (a commit
//     survives a power loss); otherwise NORMAL (a commit survives a crash of the process, which
//     is what `kill -9` tests).
//  2. busy_timeout is set, so a second connection (a reader, or another process) waits for the
//     write lock instead of failing at once.
//  3. Foreign keys are enforced.
#pragma once

#include <memory>
#include <string>

#include "store/sql.h"

namespace leadscore::store {

Result<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path,
                                                  const ConnectionOptions& options);

}  // namespace leadscore::store
