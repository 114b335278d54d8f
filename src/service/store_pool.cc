#include "service/store_pool.h"

namespace leadscore::service {

Result<std::unique_ptr<StorePool>> StorePool::Open(const std::string& target, size_t size,
                                                   bool durable) {
  auto pool = std::make_unique<StorePool>();
  for (size_t i = 0; i < size; ++i) {
    // No map of the file: reads come between the writer's commits (OpenConnection; with
    // single events flowing, GETs ran 1.7 times as fast without it, bench/README.md).
    LS_ASSIGN_OR_RETURN(
        auto store,
        store::Store::Open(target, {.durable = durable, .migrate = false, .map_file = false}));
    pool->idle_.push_back(std::move(store));
  }
  return pool;
}

StorePool::Lease StorePool::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty(); });
  auto store = std::move(idle_.back());
  idle_.pop_back();
  return Lease(this, std::move(store));
}

void StorePool::Return(std::unique_ptr<store::Store> store) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(store));
  }
  cv_.notify_one();
}

}  // namespace leadscore::service
