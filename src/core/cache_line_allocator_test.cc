#include "core/cache_line_allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace leadscore {
namespace {

// Large blocks come from mmap, 16 bytes past a page boundary, unless asked otherwise; small
// ones from the heap, 16-byte aligned. Both start on a line here, and stay there as they grow.
TEST(CacheLineAllocator, StorageStartsOnACacheLine) {
  for (size_t n : {size_t{1}, size_t{3}, size_t{1000}, size_t{1} << 20}) {
    std::vector<double, CacheLineAllocator<double>> v(n);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % kCacheLine, 0u) << n;
    v.resize(n * 3 + 1);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % kCacheLine, 0u) << n;
  }
  std::vector<char, CacheLineAllocator<char>> bytes(100);
  std::vector<char, CacheLineAllocator<char>> copy = bytes;
  EXPECT_EQ(reinterpret_cast<uintptr_t>(copy.data()) % kCacheLine, 0u);
}

}  // namespace
}  // namespace leadscore
