// A test suite run against each store backend (INSTANTIATE over testutil::StoreBackends()):
// every test gets a fresh, migrated store, or is skipped where its backend cannot run.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/store.h"
#include "testutil/scratch_store.h"

namespace leadscore::testutil {

class StoreBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<ScratchStore>(GetParam());
    if (!scratch_->available()) GTEST_SKIP() << scratch_->skip_reason();
    auto opened = store::Store::Open(scratch_->target());
    ASSERT_TRUE(opened) << opened.error().ToString();
    store_ = std::move(*opened);
  }

  std::unique_ptr<ScratchStore> scratch_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace leadscore::testutil
