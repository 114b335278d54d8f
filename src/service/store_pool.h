// StorePool: a few store connections shared by request threads (readers; SQLite in WAL mode
// lets them read while the writer writes). Acquire() waits when all are lent out.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace leadscore::service {

class StorePool {
 public:
  class Lease {
   public:
    Lease(StorePool* pool, std::unique_ptr<store::Store> store)
        : pool_(pool), store_(std::move(store)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = default;
    ~Lease() {
      if (store_) pool_->Return(std::move(store_));
    }
    store::Store* operator->() { return store_.get(); }
    store::Store& operator*() { return *store_; }

   private:
    StorePool* pool_;
    std::unique_ptr<store::Store> store_;
  };

  // Opens `size` connections to `target` (already migrated).
  static Result<std::unique_ptr<StorePool>> Open(const std::string& target, size_t size,
                                                 bool durable);

  Lease Acquire();

 private:
  void Return(std::unique_ptr<store::Store> store);

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<store::Store>> idle_;
};

}  // namespace leadscore::service
