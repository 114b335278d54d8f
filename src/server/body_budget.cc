#include "server/body_budget.h"

namespace leadscore::server {

BodyBudget::Lease& BodyBudget::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (budget_) budget_->in_use_.fetch_sub(bytes_, std::memory_order_relaxed);
    budget_ = other.budget_;
    bytes_ = other.bytes_;
    other.budget_ = nullptr;
  }
  return *this;
}

BodyBudget::Lease::~Lease() {
  if (budget_) budget_->in_use_.fetch_sub(bytes_, std::memory_order_relaxed);
}

std::optional<BodyBudget::Lease> BodyBudget::Reserve(size_t bytes) {
  size_t held = in_use_.load(std::memory_order_relaxed);
  do {
    if (bytes > capacity_ - held) return std::nullopt;  // held <= capacity_ always
  } while (!in_use_.compare_exchange_weak(held, held + bytes, std::memory_order_relaxed));
  return Lease(this, bytes);
}

}  // namespace leadscore::server
