// BodyBudget: bounds the bytes of request bodies the server holds at once. A connection
// reserves its request's declared length (or the largest body, for a chunked one) once the
// header is read, and gives it back once the answer is ready; a request that does not fit
// is answered 503 with Retry-After before its body is read. Without it, a thousand clients
// sending 16 MB bodies together would all be read into memory: the connections alone bound
// the requests under way, not the workers.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>

namespace leadscore::server {

class BodyBudget {
 public:
  explicit BodyBudget(size_t capacity) : capacity_(capacity) {}

  // Bytes held until it is destroyed (or moved from).
  class Lease {
   public:
    Lease(Lease&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) {
      other.budget_ = nullptr;
    }
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

   private:
    friend class BodyBudget;
    Lease(BodyBudget* budget, size_t bytes) : budget_(budget), bytes_(bytes) {}
    BodyBudget* budget_;
    size_t bytes_;
  };

  // `bytes` more, or nothing when they would take the total past the capacity.
  std::optional<Lease> Reserve(size_t bytes);

  size_t capacity() const { return capacity_; }
  size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

 private:
  const size_t capacity_;
  std::atomic<size_t> in_use_{0};
};

}  // namespace leadscore::server
