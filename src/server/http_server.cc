#include "server/http_server.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <pthread.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cctype>
#include <chrono>
#include <mutex>
#include <thread>

#include "core/print_stderr.h"
#include "model/diagnostic.h"
#include "server/http_session.h"
#include "server/http_util.h"
#include "service/tokens.h"

namespace leadscore::server {
namespace {

// The token of a request: "Bearer <token>", or "Basic base64(<token>:)" as Segment sends it.
std::string TokenOf(const HttpRequest& req) {
  std::string header = req.header("Authorization");
  // The scheme is case-insensitive (RFC 7235).
  std::string scheme = header.substr(0, header.find(' '));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme.size() == header.size()) return {};  // a scheme alone
  // One or more spaces between the scheme and the credentials (RFC 9110, 11.4: 1*SP).
  const size_t start = header.find_first_not_of(' ', scheme.size());
  const std::string credentials = start == std::string::npos ? "" : header.substr(start);
  if (scheme == "bearer") return credentials;
  if (scheme == "basic") {
    const std::string& encoded = credentials;
    std::string decoded(encoded.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                            reinterpret_cast<const unsigned char*>(encoded.data()),
                            static_cast<int>(encoded.size()));
    if (n < 0) return {};
    decoded.resize(static_cast<size_t>(n));
    while (!decoded.empty() && decoded.back() == '\0') decoded.pop_back();  // '=' padding
    return decoded.substr(0, decoded.find(':'));
  }
  return {};
}

// A pattern with nothing of a regular expression in it is compared as it is (most routes).
bool IsLiteral(const std::string& pattern) {
  return pattern.find_first_of("()[]{}.*+?|^$\\") == std::string::npos;
}

// An asynchronous route's work is done where the request was read when the body is this small
// (a single event: parsing it costs less than handing it to another thread), else on a worker.
constexpr size_t kInlineBodyBytes = 16 * 1024;

}  // namespace

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HttpServer::Transport {
  explicit Transport(int workers) : workers(static_cast<size_t>(workers)) {}

  asio::io_context io;
  // On a strand of its own: accepting and Stop() never run at the same time.
  tcp::acceptor acceptor{asio::make_strand(io)};
  asio::steady_timer retry{acceptor.get_executor()};
  asio::thread_pool workers;
  std::mutex sessions_mu;
  std::vector<std::weak_ptr<HttpSession>> sessions;  // for Stop(); the ended ones pruned

  void Accept(HttpServer& server) {
    acceptor.async_accept(
        asio::make_strand(io), [this, &server](boost::system::error_code ec, tcp::socket socket) {
          if (!acceptor.is_open() || server.stopping()) return;
          if (ec) {
            // Out of descriptors, say: try again shortly rather than spin.
            retry.expires_after(std::chrono::milliseconds(100));
            retry.async_wait([this, &server](boost::system::error_code wait) {
              if (!wait) Accept(server);
            });
            return;
          }
          boost::system::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          auto session = std::make_shared<HttpSession>(std::move(socket), server, io);
          {
            std::lock_guard lock(sessions_mu);
            if (sessions.size() >= 64 && sessions.size() % 64 == 0) {
              std::erase_if(sessions, [](const auto& s) { return s.expired(); });
            }
            sessions.push_back(session);
          }
          session->Start();
          Accept(server);
        });
  }
};

HttpServer::HttpServer(service::LiveService& live, ServerOptions options)
    : live_(live),
      options_(std::move(options)),
      bodies_(options_.max_bodies_bytes),
      context_{live_, metrics_, options_} {
  options_.max_body_bytes = std::min(options_.max_body_bytes, options_.max_bodies_bytes);
  int workers = options_.threads;
  if (workers <= 0)
    workers = 16 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  transport_ = std::make_unique<Transport>(workers);
  AddLeadRoutes(*this);
  AddModelRoutes(*this);
  AddSegmentRoutes(*this);
  AddOpsRoutes(*this);
}

HttpServer::~HttpServer() {
  Stop();
  transport_->workers.join();
}

Result<BoundSocket> HttpServer::Bind(const std::string& host, int port) {
  asio::io_context io;
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) {
    return Error(Status(StatusCode::kUnavailable,
                        fmt::format("cannot listen on {}: {}", host, ec.message())));
  }
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint = *endpoints.begin();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  BoundSocket bound;
  if (!ec) bound.port = static_cast<int>(acceptor.local_endpoint(ec).port());
  if (!ec) bound.fd = acceptor.release(ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return Error(Status(StatusCode::kUnavailable,
                        fmt::format("cannot listen on {}:{} ({})", host, port, ec.message())));
  }
  bound.v6 = endpoint.protocol() == tcp::v6();
  return bound;
}

Result<int> HttpServer::Listen(BoundSocket socket) {
  boost::system::error_code ec;
  tcp::acceptor& acceptor = transport_->acceptor;
  acceptor.assign(socket.v6 ? tcp::v6() : tcp::v4(), socket.fd, ec);
  // The system's largest backlog: a burst of connects beyond it would be dropped, and each
  // dropped one costs its client a retransmission timeout of a second or more.
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return Error(Status(StatusCode::kUnavailable,
                        fmt::format("cannot listen on port {} ({})", socket.port, ec.message())));
  }
  return socket.port;
}

namespace {

// Runs the connections until the server stops. An exception that escapes a connection's step
// (Boost.Beast throws from some of its parsing, such as a field over 64 KB) ends that step and
// its connection, which it held alone; the others go on.
void RunConnections(asio::io_context& io) {
  while (true) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      PrintToStderr("serve: a connection was closed after an unexpected error: {}\n", e.what());
    }
  }
}

}  // namespace

void HttpServer::Serve() {
  transport_->Accept(*this);
  // A thread per core reads and writes the connections.
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> io_threads;
  for (int i = 1; i < threads; ++i) {
    io_threads.emplace_back([this] { RunConnections(transport_->io); });
    pthread_setname_np(io_threads.back().native_handle(), "ls-http");
  }
  RunConnections(transport_->io);
  for (auto& thread : io_threads) thread.join();
  transport_->workers.join();
}

void HttpServer::Stop() {
  if (stopping_.exchange(true)) return;
  asio::post(transport_->acceptor.get_executor(), [this] {
    boost::system::error_code ignored;
    transport_->acceptor.close(ignored);
    transport_->retry.cancel();
    std::vector<std::shared_ptr<HttpSession>> sessions;
    {
      std::lock_guard lock(transport_->sessions_mu);
      for (const auto& weak : transport_->sessions) {
        if (auto session = weak.lock()) sessions.push_back(std::move(session));
      }
      transport_->sessions.clear();
    }
    for (const auto& session : sessions) session->CloseIfIdle();
  });
}

bool HttpServer::Authorize(const HttpRequest& req, HttpResponse& res, const std::string& scope) {
  if (scope.empty()) return true;
  std::string token = TokenOf(req);
  if (token.empty()) {
    res.set_header("WWW-Authenticate", "Bearer");
    SendProblem(res, 401, "this route needs a token: Authorization: Bearer <token>");
    return false;
  }
  auto granted = live_.TokenScope(token);
  if (!granted) {
    SendStatus(res, granted.error());
    return false;
  }
  if (!*granted) {
    res.set_header("WWW-Authenticate", "Bearer");
    SendProblem(res, 401, "unknown token");
    return false;
  }
  if (!service::ScopeAllows(**granted, scope)) {
    SendProblem(res, 403,
                fmt::format("this route needs the {} scope; the token has {}", scope, **granted));
    return false;
  }
  return true;
}

void HttpServer::Route(const std::string& method, const std::string& pattern,
                       const std::string& name, const std::string& scope, Handler handler,
                       std::vector<std::string> params) {
  routes_.push_back({method, IsLiteral(pattern) ? pattern : "",
                     std::make_shared<const re2::RE2>(pattern), method + " " + name, scope,
                     std::move(handler), nullptr, false, std::move(params)});
}

void HttpServer::RouteQuick(const std::string& method, const std::string& pattern,
                            const std::string& name, const std::string& scope, Handler handler,
                            std::vector<std::string> params) {
  Route(method, pattern, name, scope, std::move(handler), std::move(params));
  routes_.back().quick = true;
}

void HttpServer::RouteAsync(const std::string& method, const std::string& pattern,
                            const std::string& name, const std::string& scope, AsyncHandler handler,
                            std::vector<std::string> params) {
  routes_.push_back({method, IsLiteral(pattern) ? pattern : "",
                     std::make_shared<const re2::RE2>(pattern), method + " " + name, scope, nullptr,
                     std::move(handler), false, std::move(params)});
}

bool HttpServer::Matches(const RouteEntry& route, const HttpRequest& req,
                         std::vector<std::string>* groups) {
  if (!route.literal.empty()) {
    if (route.literal != req.path) return false;
    if (groups) *groups = {req.path};
    return true;
  }
  // The path as sent, its groups decoded after: a lead "z/events", sent as z%2Fevents, is the
  // lead, not the events of lead "z".
  const re2::RE2& pattern = *route.pattern;
  std::vector<re2::StringPiece> match(static_cast<size_t>(pattern.NumberOfCapturingGroups()) + 1);
  if (!pattern.Match(req.raw_path, 0, req.raw_path.size(), re2::RE2::ANCHOR_BOTH, match.data(),
                     static_cast<int>(match.size()))) {
    return false;
  }
  if (groups) {
    groups->clear();
    for (const auto& group : match) {
      groups->push_back(PercentDecode(std::string(group.data(), group.size()), false));
    }
  }
  return true;
}

const HttpServer::RouteEntry* HttpServer::Find(HttpRequest& req) const {
  // HEAD is GET without the body (the session leaves it out).
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  for (const RouteEntry& route : routes_) {
    if (route.method == method && Matches(route, req, &req.matches)) return &route;
  }
  return nullptr;
}

void HttpServer::SendNoRoute(const HttpRequest& req, HttpResponse& res) const {
  // The path exists with other methods: 405 naming them.
  std::string allowed;
  for (const RouteEntry& route : routes_) {
    if (!Matches(route, req) || allowed.find(route.method) != std::string::npos) continue;
    allowed += (allowed.empty() ? "" : ", ") + route.method;
    // HEAD is served wherever GET is (Find).
    if (route.method == "GET") allowed += ", HEAD";
  }
  if (allowed.empty()) {
    SendProblem(res, 404, fmt::format("no route {} {}", req.method, req.path));
  } else {
    res.set_header("Allow", allowed);
    SendProblem(res, 405, fmt::format("{} takes {}, not {}", req.path, allowed, req.method));
  }
}

bool HttpServer::Admits(HttpRequest head, HttpResponse& res) {
  const RouteEntry* route = Find(head);
  if (route == nullptr) {
    SendNoRoute(head, res);
    return false;
  }
  return Authorize(head, res, route->scope);
}

void HttpServer::Dispatch(HttpRequest req, Respond respond) {
  if (const RouteEntry* route = Find(req)) return Run(*route, std::move(req), std::move(respond));
  HttpResponse res;
  SendNoRoute(req, res);
  respond(std::move(res));
}

namespace {

// What an exception thrown by a route becomes.
void SendException(HttpResponse& res, std::exception_ptr error) {
  std::string what = "unexpected error";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  res = HttpResponse();
  SendProblem(res, 500, what);
}

}  // namespace

bool HttpServer::KnownParams(const RouteEntry& route, const HttpRequest& req, HttpResponse& res) {
  for (auto it = req.params.begin(); it != req.params.end(); ++it) {
    const std::string& name = it->first;
    if (std::find(route.params.begin(), route.params.end(), name) != route.params.end()) {
      // A route reads one value of each: a second would be ignored without a word
      // (`attribute=a:1&attribute=b:2` read as the first filter alone).
      auto same = [&](const auto& p) { return p.first == name; };
      if (std::find_if(req.params.begin(), it, same) != it) {
        SendProblem(res, 400,
                    fmt::format("query parameter \"{}\" given twice; {} reads one value of it",
                                name, route.name),
                    name);
        return false;
      }
      continue;
    }
    std::string detail = fmt::format("unknown query parameter \"{}\"", name);
    if (route.params.empty()) {
      detail += fmt::format("; {} takes none", route.name);
    } else {
      const std::string hint = model::ClosestMatch(name, route.params);
      if (!hint.empty()) detail += fmt::format("; did you mean \"{}\"?", hint);
      std::string list;
      for (const std::string& p : route.params) list += (list.empty() ? "" : ", ") + p;
      detail += fmt::format(" ({} takes {})", route.name, list);
    }
    SendProblem(res, 400, detail, name);
    return false;
  }
  return true;
}

void HttpServer::Run(const RouteEntry& route, HttpRequest req, Respond respond) {
  const auto start = std::chrono::steady_clock::now();
  Respond observed([this, &route, start, respond = std::move(respond)](Respond::Fill fill) {
    respond.Later([this, &route, start, fill = std::move(fill)](HttpResponse& res) {
      fill(res);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      metrics_.Observe(route.name, res.status, seconds);
    });
  });
  // Runs the route; an asynchronous one answers later, from wherever its work ends.
  auto run = [this, &route](const HttpRequest& request, const Respond& answer) {
    HttpResponse res;
    try {
      if (!Authorize(request, res, route.scope) || !KnownParams(route, request, res)) {
        return answer(std::move(res));
      }
      if (route.async_handler) return route.async_handler(request, answer);
      route.handler(request, res);
    } catch (...) {
      SendException(res, std::current_exception());
    }
    answer(std::move(res));
  };
  if (route.quick || (route.async_handler && req.body.size() <= kInlineBodyBytes)) {
    return run(req, observed);
  }
  asio::post(transport_->workers,
             [run, req = std::move(req), observed = std::move(observed)] { run(req, observed); });
}

}  // namespace leadscore::server
