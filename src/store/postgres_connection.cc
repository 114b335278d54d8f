#include "store/postgres_connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <cctype>
#include <charconv>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

namespace leadscore::store {
namespace {

// Type OIDs, fixed in PostgreSQL's catalog (src/include/catalog/pg_type.dat).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

// libpq's messages end with a newline and may span lines; one line reads better in a Status.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Removes every copy of `password` from `text` (libpq may echo parts of a connection string).
std::string WithoutPassword(std::string text, const char* password) {
  if (password == nullptr || *password == '\0') return text;
  std::string_view secret(password);
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "***");
    at += 3;
  }
  return text;
}

// The password as written in a URL's user info (`scheme://user:password@host`), still
// percent-encoded; empty when there is none.
std::string_view RawUrlPassword(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  size_t at = rest.rfind('@', rest.find('/'));
  if (at == std::string_view::npos) return {};
  size_t colon = rest.substr(0, at).find(':');
  return colon == std::string_view::npos ? std::string_view()
                                         : rest.substr(colon + 1, at - colon - 1);
}

// host:port/dbname from the options libpq parsed, and the password; nullopt when libpq cannot
// parse `url` (then `error` holds why).
std::optional<std::string> DescribeConninfo(const std::string& url, std::string* password,
                                            std::string* error) {
  char* message = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &message);
  if (options == nullptr) {
    *error = message != nullptr ? OneLine(message) : "out of memory";
    if (message != nullptr) PQfreemem(message);
    return std::nullopt;
  }
  std::string host = "localhost", port = "5432", dbname;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    std::string_view key(o->keyword);
    if (key == "host" || key == "hostaddr") host = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") dbname = o->val;
    if (key == "password") *password = o->val;
  }
  PQconninfoFree(options);
  return fmt::format("{}:{}/{}", host, port, dbname);
}

bool Retryable(std::string_view sqlstate) {
  return sqlstate.starts_with("08") ||   // connection exception
         sqlstate.starts_with("57P") ||  // admin shutdown, crash shutdown, cannot connect now
         sqlstate == "40001" ||          // serialization failure
         sqlstate == "40P01";            // deadlock detected
}

class PostgresConnection final : public SqlConnection {
 public:
  PostgresConnection(PGconn* conn, std::string name) : conn_(conn), name_(std::move(name)) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string name() const override { return name_; }

  Result<ExecResult> Exec(std::string_view sql, std::span<const SqlValue> params) override {
    LS_ASSIGN_OR_RETURN(PgResult result, Run(sql, params));
    ExecResult out;
    std::string_view changed = PQcmdTuples(result.get());
    std::from_chars(changed.data(), changed.data() + changed.size(), out.rows_changed);
    return out;
  }

  Status QueryEach(std::string_view sql, std::span<const SqlValue> params,
                   const RowVisitor& visit) override {
    LS_ASSIGN_OR_RETURN(PgResult result, Run(sql, params));
    PGresult* r = result.get();
    const int rows = PQntuples(r);
    const int columns = PQnfields(r);
    std::vector<Oid> types(columns);
    for (int c = 0; c < columns; ++c) types[c] = PQftype(r, c);
    std::vector<SqlValue> row(static_cast<size_t>(columns));
    for (int i = 0; i < rows; ++i) {
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(r, i, c)) {
          row[c] = std::monostate{};
          continue;
        }
        const char* text = PQgetvalue(r, i, c);
        const char* end = text + PQgetlength(r, i, c);
        switch (types[c]) {
          case kInt2Oid:
          case kInt4Oid:
          case kInt8Oid: {
            int64_t n = 0;
            std::from_chars(text, end, n);
            row[c] = n;
            break;
          }
          case kFloat4Oid:
          case kFloat8Oid:
          case kNumericOid: {
            // from_chars reads "Infinity", "-Infinity" and "NaN" as well.
            double d = 0;
            std::from_chars(text, end, d);
            row[c] = d;
            break;
          }
          case kBoolOid:
            row[c] = int64_t{*text == 't' ? 1 : 0};
            break;
          default:
            row[c] = std::string_view(text, static_cast<size_t>(end - text));
        }
      }
      visit(row);
    }
    return Status::Ok();
  }

  Status ExecScript(std::string_view sql) override {
    std::string text(sql);
    PgResult result(PQexec(conn_, text.c_str()));
    return Check(result.get(), "script");
  }

  Status Begin() override { return Simple("BEGIN"); }
  Status BeginRead() override { return Simple("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"); }
  // A COMMIT of a transaction in which a statement failed succeeds on the server but rolls
  // back; that is reported as an error so the caller does not believe its writes were kept.
  Status Commit() override {
    PgResult result(PQexec(conn_, "COMMIT"));
    LS_RETURN_IF_ERROR(Check(result.get(), "COMMIT"));
    if (std::string_view(PQcmdStatus(result.get())) == "ROLLBACK") {
      return Internal(fmt::format(
          "{}: COMMIT rolled the transaction back, as a statement in it had failed", name_));
    }
    return Status::Ok();
  }
  Status Rollback() override { return Simple("ROLLBACK"); }

 private:
  struct Prepared {
    std::string name;
    int placeholders;
  };

  Status Simple(const char* sql) {
    PgResult result(PQexec(conn_, sql));
    return Check(result.get(), sql);
  }

  // Prepares `sql` on first use, then runs it with `params` as text.
  Result<PgResult> Run(std::string_view sql, std::span<const SqlValue> params) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      Prepared prepared;
      prepared.name = fmt::format("ls{}", statements_.size() + 1);
      std::string rewritten = RewritePlaceholders(sql, &prepared.placeholders);
      PgResult result(PQprepare(conn_, prepared.name.c_str(), rewritten.c_str(), 0, nullptr));
      LS_RETURN_IF_ERROR(Check(result.get(), sql));
      it = statements_.emplace(std::string(sql), std::move(prepared)).first;
    }
    const Prepared& prepared = it->second;
    if (static_cast<int>(params.size()) != prepared.placeholders) {
      return Error(Internal(fmt::format("{} parameters for {} placeholders in: {}", params.size(),
                                        prepared.placeholders, sql)));
    }
    // Text forms first, then pointers into them: the vector must not grow after that.
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const SqlValue& v = params[i];
      if (const auto* n = std::get_if<int64_t>(&v)) {
        texts[i] = fmt::format("{}", *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        texts[i] = fmt::format("{}", *d);  // shortest text that reads back as the same double
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        texts[i] = *s;
      } else if (const auto* view = std::get_if<std::string_view>(&v)) {
        texts[i] = *view;
      } else {
        continue;  // null
      }
      values[i] = texts[i].c_str();
    }
    PgResult result(PQexecPrepared(conn_, prepared.name.c_str(), static_cast<int>(params.size()),
                                   values.data(), nullptr, nullptr, 0));
    LS_RETURN_IF_ERROR(Check(result.get(), sql));
    return result;
  }

  Status Check(const PGresult* result, std::string_view sql) {
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
      return Status::Ok();
    }
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string_view sqlstate = state ? state : "";
    std::string what;
    if (const char* primary =
            result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr) {
      what = primary;
      if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
        what += fmt::format(" ({})", detail);
      }
    } else {
      what = OneLine(PQerrorMessage(conn_));
    }
    std::string message =
        sqlstate.empty() ? fmt::format("{}: {} (in: {})", name_, what, sql)
                         : fmt::format("{}: {} [SQLSTATE {}] (in: {})", name_, what, sqlstate, sql);
    if (sqlstate == "23505") return Status(StatusCode::kAlreadyExists, std::move(message));
    if (PQstatus(conn_) != CONNECTION_OK || Retryable(sqlstate)) {
      return Status(StatusCode::kUnavailable, std::move(message));
    }
    return Internal(std::move(message));
  }

  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  PGconn* conn_;
  std::string name_;
  std::unordered_map<std::string, Prepared, TextHash, std::equal_to<>> statements_;
};

}  // namespace

std::string RewritePlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 8);
  int n = 0;
  size_t i = 0;
  // Copies sql[i..] up to and including the first `close` (or to the end); i moves past it.
  auto copy_through = [&](std::string_view close) {
    size_t end = sql.find(close, i);
    end = end == std::string_view::npos ? sql.size() : end + close.size();
    out.append(sql.substr(i, end - i));
    i = end;
  };
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '?') {
      out += fmt::format("${}", ++n);
      ++i;
    } else if (c == '\'') {
      // '' inside a literal closes and reopens it, which comes to the same thing. An E'...'
      // literal also takes \' as a quote.
      bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
      out += c;
      ++i;
      while (i < sql.size() && sql[i] != '\'') {
        if (escapes && sql[i] == '\\' && i + 1 < sql.size()) out += sql[i++];
        out += sql[i++];
      }
      if (i < sql.size()) out += sql[i++];
    } else if (c == '"') {
      out += c;
      ++i;
      copy_through("\"");
    } else if (sql.substr(i, 2) == "--") {
      copy_through("\n");
    } else if (sql.substr(i, 2) == "/*") {
      out += "/*";
      i += 2;
      copy_through("*/");
    } else if (c == '$' && (i == 0 || !(std::isalnum(static_cast<unsigned char>(sql[i - 1])) ||
                                        sql[i - 1] == '_'))) {
      // A dollar-quoted string: $tag$ ... $tag$ (a $1 parameter has no closing $).
      size_t tag_end = i + 1;
      while (tag_end < sql.size() &&
             (std::isalnum(static_cast<unsigned char>(sql[tag_end])) || sql[tag_end] == '_')) {
        ++tag_end;
      }
      if (tag_end < sql.size() && sql[tag_end] == '$' &&
          !std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
        std::string tag(sql.substr(i, tag_end + 1 - i));
        out += tag;
        i = tag_end + 1;
        copy_through(tag);
      } else {
        out += c;
        ++i;
      }
    } else {
      out += c;
      ++i;
    }
  }
  *count = n;
  return out;
}

Result<std::unique_ptr<SqlConnection>> OpenPostgres(const std::string& url) {
  // libpq quotes a malformed part of the URL back, which may be the password, so every message
  // loses the password both as written and as decoded.
  std::string raw_password(RawUrlPassword(url));
  std::string password, parse_error;
  std::optional<std::string> where = DescribeConninfo(url, &password, &parse_error);
  auto scrub = [&](std::string text) {
    return WithoutPassword(WithoutPassword(std::move(text), raw_password.c_str()),
                           password.c_str());
  };
  if (!where) {
    return Error(InvalidArgument(
        scrub(fmt::format("cannot parse the PostgreSQL URL {}: {}", url, parse_error))));
  }
  // Keywords before dbname are defaults the URL (expanded from dbname) may override.
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"10", "leadscore", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    return Error(Status(StatusCode::kUnavailable,
                        fmt::format("cannot connect to PostgreSQL at {}: out of memory", *where)));
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = WithoutPassword(scrub(OneLine(PQerrorMessage(conn))), PQpass(conn));
    PQfinish(conn);
    return Error(Status(StatusCode::kUnavailable,
                        fmt::format("cannot connect to PostgreSQL at {}: {}", *where, message)));
  }
  const char* host = PQhost(conn);
  std::string name =
      fmt::format("{}:{}/{}", host && *host ? host : "localhost", PQport(conn), PQdb(conn));
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  auto connection = std::make_unique<PostgresConnection>(conn, std::move(name));
  Status status =
      connection->ExecScript("SET client_min_messages = warning; SET extra_float_digits = 3");
  if (!status.ok()) return Error(Status(StatusCode::kUnavailable, status.message()));
  return connection;
}

}  // namespace leadscore::store
