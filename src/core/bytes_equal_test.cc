#include "core/bytes_equal.h"

#include <gtest/gtest.h>

#include <string>

namespace leadscore {
namespace {

// Every length up to 40, with one byte changed at every position: the overlapping words must
// not hide a difference, and equal strings are equal.
TEST(BytesEqual, FindsADifferenceAtAnyPositionOfAnyLength) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'x');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    const std::string b = a;
    EXPECT_TRUE(BytesEqual(a.data(), b.data(), n)) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string c = a;
      c[i] = static_cast<char>(c[i] ^ 0x80);
      EXPECT_FALSE(BytesEqual(a.data(), c.data(), n)) << n << " " << i;
      EXPECT_FALSE(BytesEqual(c.data(), a.data(), n)) << n << " " << i;
    }
  }
}

}  // namespace
}  // namespace leadscore
