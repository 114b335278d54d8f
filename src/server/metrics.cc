#include "server/metrics.h"

#include <fmt/format.h>

namespace leadscore::server {
namespace {
constexpr double kBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                              0.05,   0.1,   0.25,   0.5,   1,    2.5};
constexpr size_t kNumBounds = sizeof kBounds / sizeof kBounds[0];
}  // namespace

void Metrics::Observe(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  if (h.buckets.empty()) h.buckets.assign(kNumBounds, 0);
  for (size_t i = 0; i < kNumBounds; ++i) {
    if (seconds <= kBounds[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP leadscore_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE leadscore_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += fmt::format("leadscore_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                       key.first, key.second, n);
  }
  out += "# HELP leadscore_http_request_seconds Time to answer a request, by route.\n";
  out += "# TYPE leadscore_http_request_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < kNumBounds; ++i) {
      out += fmt::format("leadscore_http_request_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                         route, kBounds[i], h.buckets[i]);
    }
    out += fmt::format("leadscore_http_request_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n",
                       route, h.count);
    out += fmt::format("leadscore_http_request_seconds_sum{{route=\"{}\"}} {}\n", route, h.sum);
    out += fmt::format("leadscore_http_request_seconds_count{{route=\"{}\"}} {}\n", route, h.count);
  }
  return out;
}

}  // namespace leadscore::server
