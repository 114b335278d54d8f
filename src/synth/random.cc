#include "synth/random.h"

#include <algorithm>
#include <cassert>

namespace leadscore::synth {

Discrete::Discrete(std::span<const uint32_t> weights) {
  cumulative_.reserve(weights.size());
  uint64_t total = 0;
  for (uint32_t w : weights) {
    total += w;
    cumulative_.push_back(total);
  }
  assert(total > 0);
}

size_t Discrete::Pick(Rng& rng) const {
  const uint64_t r = rng.Below(cumulative_.back());
  return static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), r) -
                             cumulative_.begin());
}

}  // namespace leadscore::synth
