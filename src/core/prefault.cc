#include "core/prefault.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <utility>

namespace leadscore {

std::jthread PrefaultInBackground(std::vector<std::span<const std::byte>> regions) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  std::jthread thread([regions = std::move(regions)](std::stop_token stop) {
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    // The tables of a batch fill row by row, each at the same pace: every region advances by
    // the same share of itself in each round, as the writer does.
    constexpr int kRounds = 128;
    for (int round = 0; round < kRounds; ++round) {
      for (const auto& region : regions) {
        const auto base = reinterpret_cast<uintptr_t>(region.data());
        // madvise wants page-aligned bounds; a partial page is left to the writer.
        const uintptr_t from = (base + region.size() * round / kRounds + page - 1) / page * page;
        const uintptr_t to = (base + region.size() * (round + 1) / kRounds) / page * page;
        if (stop.stop_requested()) return;
        // A failure (an old kernel: EINVAL) only means the writer faults its pages itself.
        if (from < to &&
            ::madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE) != 0) {
          return;
        }
      }
    }
  });
  pthread_setname_np(thread.native_handle(), "ls-prefault");
  return thread;
#else
  (void)regions;
  return {};
#endif
}

}  // namespace leadscore
