// Request counters and latency histograms, printed in Prometheus' text format at /metrics.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace leadscore::server {

class Metrics {
 public:
  // One request to `route` (its pattern, e.g. "GET /v1/leads/{id}") answered with `status`.
  void Observe(const std::string& route, int status, double seconds);
  // The request lines of the text format (the caller appends its gauges).
  std::string Render() const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // cumulative counts per upper bound
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace leadscore::server
