// How long a first touch of fresh memory takes on this machine, on 4 KiB pages and on 2 MiB
// transparent huge pages: the measurement behind the batch tables' plain allocations (see
// bench/README.md, "What changed on 2026-12-04 evening"). Run by bench/memory/fresh_pages.sh.
//
// Usage: fresh_pages MIB [huge]
#include <sys/mman.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fresh_pages MIB [huge]\n");
    return 2;
  }
  const bool huge = argc > 2 && std::strcmp(argv[2], "huge") == 0;
  const size_t bytes = static_cast<size_t>(std::atol(argv[1])) << 20;
  void* memory = std::aligned_alloc(size_t{2} << 20, bytes);
  if (memory == nullptr) return 1;
  if (huge) ::madvise(memory, bytes, MADV_HUGEPAGE);
  const auto start = std::chrono::steady_clock::now();
  std::memset(memory, 1, bytes);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s MiB on %s pages: %.2f s\n", argv[1], huge ? "2 MiB" : "4 KiB", seconds);
  std::free(memory);
  return 0;
}
