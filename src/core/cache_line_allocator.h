// CacheLineAllocator: storage for a std::vector that starts on a 64-byte boundary.
//
// malloc gives a large block 16 bytes past a page boundary, so a table of 128-byte rows (a W1
// lead's state) had every row across three cache lines rather than two, and the third was not
// prefetched; of a table of 32-byte slots (the lead index), every other slot lay across two.
// For tables read at random, where each line is a miss.
#pragma once

#include <cstddef>
#include <new>

namespace leadscore {

inline constexpr size_t kCacheLine = 64;

template <class T>
struct CacheLineAllocator {
  using value_type = T;

  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>& /*other*/) {}  // NOLINT: as std::allocator

  T* allocate(size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{kCacheLine}));
  }
  void deallocate(T* p, size_t /*n*/) { ::operator delete (p, std::align_val_t{kCacheLine}); }

  template <class U>
  bool operator==(const CacheLineAllocator<U>& /*other*/) const {
    return true;
  }
};

}  // namespace leadscore
