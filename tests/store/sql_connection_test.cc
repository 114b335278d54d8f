// SqlConnection conformance: one suite, run against SQLite (a temporary file) and PostgreSQL (the
// server named by LEADSCORE_TEST_POSTGRES; skipped when it is unset). Each PostgreSQL test works
// in a schema of its own, dropped at the end, so the tests can run in parallel on one database.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "store/postgres_connection.h"
#include "store/sql.h"

namespace leadscore::store {

// Names the backend in ctest's list rather than "4-byte object <00-00 00-00>".
void PrintTo(Dialect dialect, std::ostream* out) {
  *out << (dialect == Dialect::kSqlite ? "SQLite" : "PostgreSQL");
}

namespace {

const char* PostgresUrl() {
  const char* url = std::getenv("LEADSCORE_TEST_POSTGRES");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

std::string RandomSuffix() {
  std::random_device device;
  std::mt19937_64 random(device() ^ (static_cast<uint64_t>(getpid()) << 32));
  return std::to_string(random() % 1000000000000ULL);
}

class SqlConnectionTest : public testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    if (GetParam() == Dialect::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() / ("leadscore_sql_test_" + RandomSuffix());
      std::filesystem::create_directories(dir_);
      target_ = (dir_ / "test.db").string();
    } else {
      if (PostgresUrl() == nullptr) {
        GTEST_SKIP() << "PostgreSQL tests need a server: "
                        "export LEADSCORE_TEST_POSTGRES=$(scripts/start-postgres.sh start)";
      }
      target_ = PostgresUrl();
      schema_ = "t_" + RandomSuffix();
    }
    db_ = Open();
    ASSERT_NE(db_, nullptr);
  }

  void TearDown() override {
    if (!schema_.empty() && db_ != nullptr) {
      (void)db_->Rollback();  // in case a test left a transaction open
      Status dropped = db_->ExecScript("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
      EXPECT_TRUE(dropped.ok()) << dropped.ToString();
    }
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // A new connection to the test's database (and, for PostgreSQL, its schema).
  std::unique_ptr<SqlConnection> Open() {
    auto db = OpenConnection(target_);
    EXPECT_TRUE(db.has_value()) << db.error().ToString();
    if (!db) return nullptr;
    if (!schema_.empty()) {
      Status status = (*db)->ExecScript("CREATE SCHEMA IF NOT EXISTS " + schema_ +
                                        "; SET search_path TO " + schema_);
      EXPECT_TRUE(status.ok()) << status.ToString();
    }
    return std::move(*db);
  }

  void MustExec(std::string_view sql, std::vector<SqlValue> params = {}) {
    auto result = db_->Exec(sql, params);
    ASSERT_TRUE(result.has_value()) << result.error().ToString();
  }

  std::vector<SqlRow> MustQuery(SqlConnection& db, std::string_view sql,
                                std::vector<SqlValue> params = {}) {
    auto rows = db.Query(sql, params);
    EXPECT_TRUE(rows.has_value()) << rows.error().ToString();
    return rows ? std::move(*rows) : std::vector<SqlRow>{};
  }

  int64_t Count(SqlConnection& db, std::string_view table) {
    auto rows = MustQuery(db, "SELECT COUNT(*) FROM " + std::string(table));
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? -1 : rows[0].Int(0);
  }

  void CreateKv() {
    MustExec("CREATE TABLE kv (k BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, t TEXT)");
  }

  std::filesystem::path dir_;
  std::string target_;
  std::string schema_;
  std::unique_ptr<SqlConnection> db_;
};

TEST_P(SqlConnectionTest, EveryValueTypeRoundTripsThroughPlaceholders) {
  CreateKv();
  const std::string tricky = "it's a \"quoted\" ? with 'two'' quotes', ünïcødé, 日本語, 🚀";
  const std::vector<std::vector<SqlValue>> rows = {
      {int64_t{1}, std::numeric_limits<int64_t>::max(), 0.1, tricky},
      {int64_t{2}, std::numeric_limits<int64_t>::min(), 1e300, std::string()},
      {int64_t{3}, std::monostate{}, std::monostate{}, std::monostate{}},
      {int64_t{4}, int64_t{0}, 1.0 / 3.0, std::string("?")},
      {int64_t{5}, int64_t{-1}, std::numeric_limits<double>::denorm_min(), std::string("$1")},
      {int64_t{6}, int64_t{42}, -std::numeric_limits<double>::max(), std::string("\\n\t\n")},
      {int64_t{7}, int64_t{7}, 123456789.125, std::string("'")},
  };
  for (const auto& row : rows) MustExec("INSERT INTO kv (k, i, d, t) VALUES (?, ?, ?, ?)", row);

  for (const auto& row : rows) {
    auto got = MustQuery(*db_, "SELECT k, i, d, t FROM kv WHERE k = ?", {row[0]});
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].values, row) << "row " << std::get<int64_t>(row[0]);
  }
  // The text with quotes and a `?` finds itself as a parameter, too.
  auto by_text = MustQuery(*db_, "SELECT k FROM kv WHERE t = ?", {tricky});
  ASSERT_EQ(by_text.size(), 1u);
  EXPECT_EQ(by_text[0].values[0], SqlValue(int64_t{1}));
}

TEST_P(SqlConnectionTest, QuestionMarksInsideLiteralsAreNotPlaceholders) {
  CreateKv();
  MustExec("INSERT INTO kv (k, t) VALUES (?, 'what? it''s ?')", {int64_t{1}});
  auto rows = MustQuery(*db_, "SELECT t, 'a ? b' FROM kv WHERE t = 'what? it''s ?' AND k = ?",
                        {int64_t{1}});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].values[0], SqlValue(std::string("what? it's ?")));
  EXPECT_EQ(rows[0].values[1], SqlValue(std::string("a ? b")));
}

TEST_P(SqlConnectionTest, CachedStatementTakesNewValuesEachRun) {
  CreateKv();
  for (int64_t k = 1; k <= 3; ++k) {
    SqlValue i;  // null for k = 2
    if (k != 2) i = k * 10;
    MustExec("INSERT INTO kv (k, i) VALUES (?, ?)", {k, i});
  }
  for (int64_t k = 1; k <= 3; ++k) {
    auto rows = MustQuery(*db_, "SELECT i FROM kv WHERE k = ?", {k});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].values[0], k == 2 ? SqlValue() : SqlValue(k * 10));
  }
}

TEST_P(SqlConnectionTest, IntegersBooleansAndCountsComeBackAsInt64) {
  CreateKv();
  MustExec("INSERT INTO kv (k, i, d) VALUES (1, 5, 2.5), (2, 7, 0.5)");
  auto rows = MustQuery(*db_,
                        "SELECT COUNT(*), MAX(i), MIN(d), 1, k = 1, k = 2 FROM kv WHERE k = 1"
                        " GROUP BY k");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].values, (std::vector<SqlValue>{int64_t{1}, int64_t{5}, 2.5, int64_t{1},
                                                   int64_t{1}, int64_t{0}}));
}

TEST_P(SqlConnectionTest, RowsChangedCountsWrittenRows) {
  CreateKv();
  auto inserted = db_->Exec("INSERT INTO kv (k, i) VALUES (1, 1), (2, 2), (3, 3)");
  ASSERT_TRUE(inserted.has_value()) << inserted.error().ToString();
  EXPECT_EQ(inserted->rows_changed, 3);
  auto updated = db_->Exec("UPDATE kv SET i = i + 1 WHERE k >= ?", std::vector<SqlValue>{2});
  ASSERT_TRUE(updated.has_value()) << updated.error().ToString();
  EXPECT_EQ(updated->rows_changed, 2);
  auto none = db_->Exec("DELETE FROM kv WHERE k > ?", std::vector<SqlValue>{int64_t{100}});
  ASSERT_TRUE(none.has_value()) << none.error().ToString();
  EXPECT_EQ(none->rows_changed, 0);
  auto deleted = db_->Exec("DELETE FROM kv WHERE k = ?", std::vector<SqlValue>{int64_t{1}});
  ASSERT_TRUE(deleted.has_value()) << deleted.error().ToString();
  EXPECT_EQ(deleted->rows_changed, 1);
}

TEST_P(SqlConnectionTest, RollbackDiscardsWrites) {
  CreateKv();
  ASSERT_TRUE(db_->Begin().ok());
  MustExec("INSERT INTO kv (k) VALUES (?)", {int64_t{1}});
  EXPECT_EQ(Count(*db_, "kv"), 1);
  Status rolled_back = db_->Rollback();
  ASSERT_TRUE(rolled_back.ok()) << rolled_back.ToString();
  EXPECT_EQ(Count(*db_, "kv"), 0);
}

TEST_P(SqlConnectionTest, CommitKeepsWritesForOtherConnections) {
  CreateKv();
  ASSERT_TRUE(db_->Begin().ok());
  MustExec("INSERT INTO kv (k) VALUES (?)", {int64_t{1}});
  Status committed = db_->Commit();
  ASSERT_TRUE(committed.ok()) << committed.ToString();
  auto other = Open();
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(Count(*other, "kv"), 1);
}

TEST_P(SqlConnectionTest, InTransactionRollsBackWhenTheBodyFails) {
  CreateKv();
  Status status = InTransaction(*db_, [&]() -> Status {
    auto inserted = db_->Exec("INSERT INTO kv (k) VALUES (1)");
    if (!inserted) return inserted.error();
    return InvalidArgument("changed my mind");
  });
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Count(*db_, "kv"), 0);
}

TEST_P(SqlConnectionTest, AReadTransactionSeesOneSnapshotAndLetsAnotherConnectionWrite) {
  CreateKv();
  MustExec("INSERT INTO kv (k) VALUES (1)");
  auto writer = Open();
  ASSERT_NE(writer, nullptr);
  int64_t before = -1, after = -1;
  Status status = InReadTransaction(*db_, [&]() -> Status {
    before = Count(*db_, "kv");
    // Committed meanwhile, without waiting for the read transaction to end.
    auto inserted = writer->Exec("INSERT INTO kv (k) VALUES (2)");
    if (!inserted) return inserted.error();
    after = Count(*db_, "kv");
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(before, 1);
  EXPECT_EQ(after, 1);
  EXPECT_EQ(Count(*db_, "kv"), 2);  // the next read sees the write
}

TEST_P(SqlConnectionTest, UniqueViolationIsAlreadyExists) {
  CreateKv();
  MustExec("INSERT INTO kv (k) VALUES (?)", {int64_t{1}});
  auto again = db_->Exec("INSERT INTO kv (k) VALUES (?)", std::vector<SqlValue>{int64_t{1}});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), StatusCode::kAlreadyExists) << again.error().ToString();
  // The connection is still usable after the error.
  EXPECT_EQ(Count(*db_, "kv"), 1);
}

TEST_P(SqlConnectionTest, BadQueryNamesTheProblem) {
  auto syntax = db_->Query("SELEC 1");
  ASSERT_FALSE(syntax.has_value());
  EXPECT_EQ(syntax.error().code(), StatusCode::kInternal);
  EXPECT_NE(syntax.error().message().find("syntax error"), std::string::npos)
      << syntax.error().message();
  EXPECT_NE(syntax.error().message().find("SELEC"), std::string::npos) << syntax.error().message();

  auto missing = db_->Query("SELECT * FROM no_such_table WHERE x = ?", std::vector<SqlValue>{1});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kInternal);
  EXPECT_NE(missing.error().message().find("no_such_table"), std::string::npos)
      << missing.error().message();
  if (GetParam() == Dialect::kPostgres) {
    EXPECT_NE(syntax.error().message().find("SQLSTATE 42601"), std::string::npos)
        << syntax.error().message();
    EXPECT_NE(missing.error().message().find("SQLSTATE 42P01"), std::string::npos)
        << missing.error().message();
  }
}

TEST_P(SqlConnectionTest, WrongNumberOfParametersIsAnError) {
  CreateKv();
  auto result = db_->Exec("INSERT INTO kv (k, i) VALUES (?, ?)", std::vector<SqlValue>{1});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), StatusCode::kInternal);
}

TEST_P(SqlConnectionTest, ExecScriptRunsSeveralStatements) {
  Status status = db_->ExecScript(
      "CREATE TABLE IF NOT EXISTS a (x BIGINT);"
      "CREATE TABLE IF NOT EXISTS a (x BIGINT);"  // a NOTICE on PostgreSQL, not printed
      "CREATE TABLE b (y TEXT);"
      "INSERT INTO a (x) VALUES (1), (2);"
      "INSERT INTO b (y) VALUES ('?');");
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Count(*db_, "a"), 2);
  EXPECT_EQ(Count(*db_, "b"), 1);

  Status bad = db_->ExecScript("INSERT INTO a (x) VALUES (3); INSERT INTO nowhere VALUES (1);");
  EXPECT_EQ(bad.code(), StatusCode::kInternal);
  EXPECT_NE(bad.message().find("nowhere"), std::string::npos) << bad.message();
}

TEST_P(SqlConnectionTest, DialectAndName) {
  EXPECT_EQ(db_->dialect(), GetParam());
  if (GetParam() == Dialect::kPostgres) {
    EXPECT_NE(db_->name().find(':'), std::string::npos) << db_->name();
    EXPECT_EQ(db_->name().find("postgresql://"), std::string::npos) << db_->name();
  } else {
    EXPECT_EQ(db_->name(), target_);
  }
}

// PostgreSQL aborts a transaction at its first failed statement and then turns COMMIT into a
// rollback; the connection reports that rather than a success. (SQLite keeps the transaction
// going, so the Store always rolls back on error: see InTransaction.)
TEST_P(SqlConnectionTest, PostgresCommitAfterAFailedStatementIsAnError) {
  if (GetParam() != Dialect::kPostgres) GTEST_SKIP() << "PostgreSQL behaviour only";
  CreateKv();
  ASSERT_TRUE(db_->Begin().ok());
  MustExec("INSERT INTO kv (k) VALUES (1)");
  EXPECT_FALSE(db_->Exec("INSERT INTO kv (k) VALUES (1)").has_value());
  Status committed = db_->Commit();
  EXPECT_EQ(committed.code(), StatusCode::kInternal) << committed.ToString();
  EXPECT_EQ(Count(*db_, "kv"), 0);
}

TEST_P(SqlConnectionTest, PostgresLostConnectionIsUnavailable) {
  if (GetParam() != Dialect::kPostgres) GTEST_SKIP() << "PostgreSQL behaviour only";
  auto pid = MustQuery(*db_, "SELECT pg_backend_pid()");
  ASSERT_EQ(pid.size(), 1u);
  auto other = Open();
  ASSERT_NE(other, nullptr);
  MustQuery(*other, "SELECT pg_terminate_backend(?)", {pid[0].Int(0)});
  auto after = db_->Query("SELECT 1");
  ASSERT_FALSE(after.has_value());
  EXPECT_EQ(after.error().code(), StatusCode::kUnavailable) << after.error().ToString();
  db_ = std::move(other);  // TearDown drops the schema through a live connection
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlConnectionTest,
                         testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const testing::TestParamInfo<Dialect>& backend) {
                           return backend.param == Dialect::kSqlite ? "Sqlite" : "Postgres";
                         });

// Needs no server: nothing listens on port 1.
TEST(PostgresConnection, ClosedPortIsUnavailableAndHidesThePassword) {
  auto db = OpenConnection("postgresql://u:secret@127.0.0.1:1/x");
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code(), StatusCode::kUnavailable) << db.error().ToString();
  EXPECT_NE(db.error().message().find("127.0.0.1:1/x"), std::string::npos) << db.error().message();
  EXPECT_EQ(db.error().message().find("secret"), std::string::npos) << db.error().message();
}

TEST(PostgresConnection, MalformedUrlHidesThePassword) {
  auto db = OpenConnection("postgresql://u:secr%zzet@127.0.0.1:1/x");
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code(), StatusCode::kInvalidArgument) << db.error().ToString();
  EXPECT_EQ(db.error().message().find("secr"), std::string::npos) << db.error().message();
}

TEST(PostgresConnection, RewritesPlaceholdersOutsideQuotesAndComments) {
  int count = 0;
  EXPECT_EQ(RewritePlaceholders("SELECT ? , ?", &count), "SELECT $1 , $2");
  EXPECT_EQ(count, 2);
  EXPECT_EQ(RewritePlaceholders("SELECT 'a?''?' || ? FROM \"q?\" WHERE x = ?", &count),
            "SELECT 'a?''?' || $1 FROM \"q?\" WHERE x = $2");
  EXPECT_EQ(count, 2);
  EXPECT_EQ(RewritePlaceholders("SELECT E'\\'?' , ? -- why?\n, ? /* and ? */", &count),
            "SELECT E'\\'?' , $1 -- why?\n, $2 /* and ? */");
  EXPECT_EQ(count, 2);
  EXPECT_EQ(RewritePlaceholders("SELECT $$ ? $$, $t$ ?$t$, ?", &count),
            "SELECT $$ ? $$, $t$ ?$t$, $1");
  EXPECT_EQ(count, 1);
  EXPECT_EQ(RewritePlaceholders("SELECT 'unterminated ?", &count), "SELECT 'unterminated ?");
  EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace leadscore::store
