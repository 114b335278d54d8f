// HttpServer: the HTTP face of a LiveService. Routes are in routes_*.cc; docs/api.md and
// /v1/openapi.json describe them.
//
// Boost.Beast on Asio: a thread per core reads, routes and writes every connection's requests
// (server/http_session.h). A route either blocks (reads of the store, writes that wait for
// their commit) and runs on a pool of worker threads, or answers later through a callback
// (RouteAsync: events, answered by the writer's commit) and holds no thread while it waits.
//
// Every route but /health needs a token (Authorization: Bearer <token>, or Basic with the
// token as the user name, as Segment's SDKs send it): none or unknown -> 401, a scope too
// low -> 403. Bodies over the size limit -> 413; more bodies at once than the server
// holds -> 503 with Retry-After. Errors are problem documents (RFC 7807).
#pragma once

#include <re2/re2.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/body_budget.h"
#include "server/http_message.h"
#include "server/metrics.h"
#include "service/live_service.h"

namespace leadscore::server {

struct ServerOptions {
  size_t max_body_bytes = 16 << 20;
  // Bytes of request bodies held at once, all connections together (server/body_budget.h).
  // A body larger than this is refused with 413 whatever max_body_bytes says.
  size_t max_bodies_bytes = 256 << 20;
  // Worker threads for the routes that block; 0: 16 x cores. Each holds one request, so they
  // bound how many such requests are under way (writes waiting for their group commit too).
  int threads = 0;
  // Extra lines for /metrics (e.g. webhook counters), appended to the service's.
  std::function<std::string()> extra_metrics;
};

// What a route handler gets: the request, the response, and the service.
struct RouteContext {
  service::LiveService& live;
  Metrics& metrics;
  const ServerOptions& options;
};

using Handler = std::function<void(const HttpRequest&, HttpResponse&)>;

// Answers one request, from any thread, once: with a response, or with a function that fills
// it in on the connection's own thread, so that a busy thread (the writer) hands over the work
// of building the answer.
class Respond {
 public:
  using Fill = std::function<void(HttpResponse&)>;
  explicit Respond(std::function<void(Fill)> send) : send_(std::move(send)) {}
  void operator()(HttpResponse res) const {
    send_([res = std::move(res)](HttpResponse& out) mutable { out = std::move(res); });
  }
  void Later(Fill fill) const { send_(std::move(fill)); }

 private:
  std::function<void(Fill)> send_;
};
// Must not block: starts the work and returns; the work calls `respond` when done.
using AsyncHandler = std::function<void(const HttpRequest&, Respond respond)>;

// A socket bound to the service's address but not yet listening: taken before the store is
// opened, so that a port in use fails a start before anything is written, while connections
// are refused (not left waiting) until the server listens.
struct BoundSocket {
  int fd = -1;
  bool v6 = false;
  int port = 0;  // the port bound (port 0 asked: the one the system chose)
};

class HttpServer {
 public:
  HttpServer(service::LiveService& live, ServerOptions options);
  ~HttpServer();

  // Binds `host:port` (port 0: any free port).
  static Result<BoundSocket> Bind(const std::string& host, int port);
  // Listens on `socket`, which the server owns from then on; returns its port.
  Result<int> Listen(BoundSocket socket);
  // Serves until Stop() (from any thread, e.g. a signal watcher); returns once the requests
  // under way are answered.
  void Serve();
  void Stop();

  // Registers a route: `scope` "" for none, else read | write | admin. `pattern` is a regular
  // expression matched against the whole path as sent (percent-encoded); its groups go to
  // HttpRequest::matches, decoded.
  // The first route registered that matches wins. `params` are the query parameters it reads:
  // a request with any other is answered 400 (a misspelt filter would otherwise be ignored,
  // and the answer look right).
  void Route(const std::string& method, const std::string& pattern, const std::string& name,
             const std::string& scope, Handler handler, std::vector<std::string> params = {});
  void RouteAsync(const std::string& method, const std::string& pattern, const std::string& name,
                  const std::string& scope, AsyncHandler handler,
                  std::vector<std::string> params = {});
  // A route run on the thread that read the request, with no hand-over to a worker (on this
  // VM two thread wake-ups cost a single read 80 us and its p99 3 ms): for quick routes that
  // wait for no other thread, such as reading one lead. A slow one would hold up the other
  // connections of its thread.
  void RouteQuick(const std::string& method, const std::string& pattern, const std::string& name,
                  const std::string& scope, Handler handler, std::vector<std::string> params = {});

  RouteContext& context() { return context_; }

  // ---- for the connections (server/http_session.h)
  // Routes a request read in full and answers it through `respond`.
  void Dispatch(HttpRequest req, Respond respond);
  // Whether the body of the request whose header is `head` should be read: a route takes the
  // request and its token may use it. Else `res` holds the answer (404, 405, 401, 403).
  bool Admits(HttpRequest head, HttpResponse& res);
  bool stopping() const { return stopping_; }
  size_t max_body_bytes() const { return options_.max_body_bytes; }
  BodyBudget& body_budget() { return bodies_; }

 private:
  struct RouteEntry {
    std::string method;
    std::string literal;  // the path itself when the pattern has no regular expression in it
    // RE2, not std::regex: libstdc++'s matcher recurses once per character and a long path
    // (27 KB of id) overflowed the stack.
    std::shared_ptr<const re2::RE2> pattern;
    std::string name;  // "GET /v1/leads/{id}", for /metrics
    std::string scope;
    Handler handler;                  // or
    AsyncHandler async_handler;       // one of the two
    bool quick = false;               // `handler` runs where the request was read
    std::vector<std::string> params;  // the query parameters it reads
  };
  struct Transport;  // Asio's parts, kept out of this header

  // Whether `route`'s pattern matches the request's path; its groups, decoded, into `groups`
  // when given.
  static bool Matches(const RouteEntry& route, const HttpRequest& req,
                      std::vector<std::string>* groups = nullptr);
  // The route that takes `req`, its groups into req.matches; nullptr when none does.
  const RouteEntry* Find(HttpRequest& req) const;
  // The answer to a request no route takes: 405 naming the methods its path takes, else 404.
  void SendNoRoute(const HttpRequest& req, HttpResponse& res) const;
  bool Authorize(const HttpRequest& req, HttpResponse& res, const std::string& scope);
  // Whether every query parameter of `req` is one `route` reads; else a 400 in `res`.
  static bool KnownParams(const RouteEntry& route, const HttpRequest& req, HttpResponse& res);
  void Run(const RouteEntry& route, HttpRequest req, Respond respond);

  service::LiveService& live_;
  ServerOptions options_;
  BodyBudget bodies_;
  Metrics metrics_;
  RouteContext context_;
  std::vector<RouteEntry> routes_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<Transport> transport_;
};

// The route tables (routes_*.cc).
void AddLeadRoutes(HttpServer& server);
void AddModelRoutes(HttpServer& server);
void AddSegmentRoutes(HttpServer& server);
void AddOpsRoutes(HttpServer& server);

}  // namespace leadscore::server
