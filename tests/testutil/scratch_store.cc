#include "testutil/scratch_store.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "store/sql.h"

namespace leadscore::testutil {
namespace {

const char* PostgresBase() {
  const char* url = std::getenv("LEADSCORE_TEST_POSTGRES");
  return url && *url ? url : nullptr;
}

}  // namespace

std::vector<std::string> StoreBackends() { return {"sqlite", "postgres"}; }

ScratchStore::ScratchStore(const std::string& backend) : backend_(backend) {
  static std::atomic<int> counter{0};
  std::random_device random;
  if (backend == "sqlite") {
    char pattern[] = "/tmp/leadscore-store-XXXXXX";
    dir_ = mkdtemp(pattern);
    target_ = dir_ + "/leadscore.db";
    return;
  }
  const char* base = PostgresBase();
  if (!base) {
    skip_reason_ =
        "PostgreSQL not configured: export LEADSCORE_TEST_POSTGRES=$(scripts/start-postgres.sh "
        "start)";
    return;
  }
  auto db = store::OpenConnection(base);
  if (!db) {
    skip_reason_ = "PostgreSQL unreachable: " + db.error().message();
    return;
  }
  schema_ = fmt::format("t_{}_{}_{}", getpid(), counter++, random() % 1000000);
  if (!(*db)->ExecScript("CREATE SCHEMA " + schema_).ok()) {
    skip_reason_ = "cannot create a schema on " + std::string(base);
    return;
  }
  std::string url = base;
  target_ =
      url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
}

ScratchStore::~ScratchStore() {
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
  if (!schema_.empty()) {
    if (auto db = store::OpenConnection(PostgresBase())) {
      (void)(*db)->ExecScript("DROP SCHEMA " + schema_ + " CASCADE");
    }
  }
}

}  // namespace leadscore::testutil
