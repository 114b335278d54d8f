// The records of a request (or of a file's batch) that were not taken, each with its reason.
//
// A body of a million bad lines makes a million rejections: listed in full, they took about
// 400 bytes of memory per byte of the body (4 MB of "1\n" lines: 1.6 GB, a 93 MB answer).
// Rejections lists the first `limit` by index and counts the others, in memory bounded by
// the limit. Not thread-safe: one per request.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace leadscore::service {

struct Rejection {
  size_t index = 0;   // 0-based position in the body
  std::string field;  // empty: the whole record
  std::string message;
};

class Rejections {
 public:
  // Lists at most `limit`. Default: every one.
  explicit Rejections(size_t limit = std::numeric_limits<size_t>::max()) : limit_(limit) {}

  void push_back(Rejection rejection);
  // Every rejection, listed or not.
  size_t size() const { return total_; }
  bool empty() const { return total_ == 0; }
  // The i-th pushed. REQUIRES: i < size() and no more than the limit were pushed.
  const Rejection& operator[](size_t i) const { return held_[i]; }
  // The first `limit` by index (in pushed order among equal indexes); size() minus their
  // number were left out.
  std::vector<Rejection> Listed() const;

 private:
  // Keeps the `limit_` lowest indexes of held_.
  void Trim(std::vector<Rejection>& held) const;

  size_t limit_;
  size_t total_ = 0;
  // Up to twice the limit between trims: the indexes come in two ascending runs (a body's
  // split, then each record's validation), so the first `limit` are not simply the first
  // pushed.
  std::vector<Rejection> held_;
};

}  // namespace leadscore::service
