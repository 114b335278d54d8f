// A throwaway store for tests, on either backend: a SQLite file in a temp dir, or a fresh
// schema on the PostgreSQL server named by $LEADSCORE_TEST_POSTGRES (dropped afterwards, so
// tests run in parallel against one server).
#pragma once

#include <string>
#include <vector>

namespace leadscore::testutil {

// "sqlite" and "postgres": the parameter of the suites that run against both.
std::vector<std::string> StoreBackends();

class ScratchStore {
 public:
  explicit ScratchStore(const std::string& backend);
  ~ScratchStore();
  ScratchStore(const ScratchStore&) = delete;
  ScratchStore& operator=(const ScratchStore&) = delete;

  // False when the backend cannot run here; skip_reason() says why and how to enable it.
  bool available() const { return !target_.empty(); }
  const std::string& skip_reason() const { return skip_reason_; }
  // What `--db` takes: the SQLite path or a postgresql:// URL that selects the schema.
  const std::string& target() const { return target_; }

 private:
  std::string backend_;
  std::string dir_;
  std::string schema_;
  std::string target_;
  std::string skip_reason_;
};

}  // namespace leadscore::testutil
