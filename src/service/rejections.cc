#include "service/rejections.h"

#include <algorithm>

namespace leadscore::service {

void Rejections::push_back(Rejection rejection) {
  ++total_;
  held_.push_back(std::move(rejection));
  if (held_.size() > limit_ && held_.size() - limit_ >= std::max<size_t>(limit_, 1)) Trim(held_);
}

void Rejections::Trim(std::vector<Rejection>& held) const {
  std::stable_sort(held.begin(), held.end(),
                   [](const Rejection& a, const Rejection& b) { return a.index < b.index; });
  if (held.size() > limit_) held.resize(limit_);
}

std::vector<Rejection> Rejections::Listed() const {
  std::vector<Rejection> out = held_;
  Trim(out);
  return out;
}

}  // namespace leadscore::service
