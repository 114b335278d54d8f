// Random numbers for the synthetic data generator: a seeded SplitMix64 stream and integer-only
// distributions, so that one seed gives the same bytes on every platform and compiler.
//
// Nothing here touches floating point or the C++ <random> distributions (whose output is
// implementation-defined). An Rng is a plain value of 8 bytes: copy it to fork a stream; it is not
// thread-safe, give each thread its own.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace leadscore::synth {

// SplitMix64's output function: a bijective 64-bit mixer.
constexpr uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Probabilities are integers in parts per million: kPpm is certainty.
inline constexpr uint32_t kPpm = 1'000'000;

class Rng {
 public:
  explicit constexpr Rng(uint64_t state) : state_(state) {}

  // An independent stream for (seed, stream, index): e.g. stream "leads", index = lead number.
  static constexpr Rng ForStream(uint64_t seed, uint64_t stream, uint64_t index) {
    return Rng(Mix64(seed ^ Mix64(stream * 0x9e3779b97f4a7c15ULL + index + 1)));
  }

  // SplitMix64 (Steele, Lea, Flood 2014): passes BigCrush; period 2^64.
  constexpr uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return Mix64(state_);
  }

  // Uniform in [0, n). REQUIRES: n > 0. Lemire's multiply-shift with rejection: unbiased.
  uint64_t Below(uint64_t n) {
    __uint128_t m = static_cast<__uint128_t>(Next()) * n;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<__uint128_t>(Next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // True with probability ppm / 1,000,000.
  bool Chance(uint32_t ppm) { return Below(kPpm) < ppm; }

  uint64_t state() const { return state_; }

 private:
  uint64_t state_;
};

// A discrete distribution over indexes 0..n-1 with integer weights, precomputed for fast picks
// (binary search over cumulative weights). Immutable after construction; shareable across threads.
class Discrete {
 public:
  Discrete() = default;
  // REQUIRES: the weights sum to a positive value below 2^63.
  explicit Discrete(std::span<const uint32_t> weights);

  // Index i with probability weights[i] / sum(weights); zero weights are never picked.
  size_t Pick(Rng& rng) const;
  size_t size() const { return cumulative_.size(); }

 private:
  std::vector<uint64_t> cumulative_;  // inclusive prefix sums
};

}  // namespace leadscore::synth
