// The PostgreSQL side of SqlConnection, over libpq.
//
// Invariants:
//  1. A query's `?` placeholders become `$1..$n` (a `?` inside a '...' literal, a "..."
//     identifier or a -- comment is left alone), and each query text is PQprepare'd once per
//     connection, then run with PQexecPrepared. Prepared statements outlive transactions.
//  2. Parameters travel as text: integers in decimal, doubles in their shortest exact form, so
//     both round-trip bit for bit; a null SqlValue is SQL NULL. The server infers their types from
//     the query, so a bare `SELECT ?` comes back as text.
//  3. Result columns map by type: int2/int4/int8 -> int64_t, float4/float8/numeric -> double,
//     bool -> int64_t 0/1, anything else -> text; NULL -> monostate. extra_float_digits=3 makes
//     the server print doubles exactly.
//  4. No password ever appears in name() or in a Status message.
//  5. NOTICE and WARNING messages from the server are dropped (client_min_messages=warning and a
//     notice processor that ignores them), so `CREATE ... IF NOT EXISTS` prints nothing.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/sql.h"

namespace leadscore::store {

// Connects to a `postgresql://user[:password]@host[:port]/dbname[?params]` URL (any libpq
// connection string works). Fails with kUnavailable, naming host:port/dbname but not the
// password, when the server cannot be reached or refuses the login. Waits at most 10 s for the
// server unless the URL sets connect_timeout.
//
// Statement errors: kAlreadyExists for a unique violation (SQLSTATE 23505); kUnavailable when the
// connection is lost or the server asks to retry (classes 08 and 57P, 40001, 40P01); otherwise
// kInternal. Each message holds the server's text, its SQLSTATE and the query.
Result<std::unique_ptr<SqlConnection>> OpenPostgres(const std::string& url);

// Rewrites `?` placeholders as `$1..$n`, leaving those inside quotes and -- comments alone.
// `count` receives the number of placeholders. Exposed for tests.
std::string RewritePlaceholders(std::string_view sql, int* count);

}  // namespace leadscore::store
