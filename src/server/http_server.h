// HttpServer: the HTTP face of a LiveService (cpp-httplib, a thread pool, loopback or any
// address). Routes are in routes_*.cc; docs/api.md and /v1/openapi.json describe them.
//
// Every route but /health needs a token (Authorization: Bearer <token>, or Basic with the
// token as the user name, as Segment's SDKs send it): none or unknown -> 401, a scope too
// low -> 403. Bodies over the size limit -> 413. Errors are problem documents (RFC 7807).
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>

#include "server/metrics.h"
#include "service/live_service.h"

namespace leadscore::server {

struct ServerOptions {
  size_t max_body_bytes = 16 << 20;
  int threads = 0;  // 0: 16 x cores
  // Extra lines for /metrics (e.g. webhook counters), appended to the service's.
  std::function<std::string()> extra_metrics;
};

// What a route handler gets: the request, the response, and the service.
struct RouteContext {
  service::LiveService& live;
  Metrics& metrics;
  const ServerOptions& options;
};

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

class HttpServer {
 public:
  HttpServer(service::LiveService& live, ServerOptions options);
  ~HttpServer();

  // Binds `host:port` (port 0: any free port); returns the port.
  Result<int> Bind(const std::string& host, int port);
  // Serves until Stop() (from any thread, e.g. a signal watcher).
  void Serve();
  void Stop();

  // Registers a route: `scope` "" for none, else read | write | admin.
  void Route(const std::string& method, const std::string& pattern, const std::string& name,
             const std::string& scope, Handler handler);

  RouteContext& context() { return context_; }

 private:
  bool Authorize(const httplib::Request& req, httplib::Response& res, const std::string& scope);

  service::LiveService& live_;
  ServerOptions options_;
  Metrics metrics_;
  RouteContext context_;
  httplib::Server http_;
};

// The route tables (routes_*.cc).
void AddLeadRoutes(HttpServer& server);
void AddModelRoutes(HttpServer& server);
void AddSegmentRoutes(HttpServer& server);
void AddOpsRoutes(HttpServer& server);

}  // namespace leadscore::server
