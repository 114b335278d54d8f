#include "server/http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "server/http_util.h"
#include "service/tokens.h"

namespace leadscore::server {
namespace {

// The token of a request: "Bearer <token>", or "Basic base64(<token>:)" as Segment sends it.
std::string TokenOf(const httplib::Request& req) {
  std::string header = req.get_header_value("Authorization");
  // The scheme is case-insensitive (RFC 7235).
  std::string scheme = header.substr(0, header.find(' '));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme == "bearer") return header.substr(7);
  if (scheme == "basic") {
    std::string encoded = header.substr(6);
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

// cpp-httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG, compiled into Debian's
// libcpp-httplib): connects beyond it that the accept loop has not taken yet overflow the
// queue, and each dropped SYN costs its client a retransmission timeout of a second or more
// (wrk opening 64 connections: 102 overflows, p99 over 0.2 s). Linux takes a second listen()
// on a listening socket as a new backlog, so the server's socket, found by its port, gets the
// system's maximum. The library keeps the socket to itself, hence the search.
void RaiseListenBacklog(int port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const int fd = std::atoi(entry.path().filename().c_str());
    int listening = 0;
    socklen_t length = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 || !listening) {
      continue;
    }
    sockaddr_storage address{};
    length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) continue;
    int bound = -1;
    if (address.ss_family == AF_INET) {
      bound = ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
    } else if (address.ss_family == AF_INET6) {
      bound = ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
    }
    if (bound == port) listen(fd, SOMAXCONN);
  }
}

}  // namespace

HttpServer::HttpServer(service::LiveService& live, ServerOptions options)
    : live_(live), options_(std::move(options)), context_{live_, metrics_, options_} {
  // Bodies are read and limited by the routes (see Route); the library's limit, far above,
  // only stops a client that sends without end.
  http_.set_payload_max_length(4 * options_.max_body_bytes);
  http_.set_keep_alive_max_count(100000);
  // Headers and body go out in two writes; without this, Nagle holds the second one until the
  // client's delayed ACK (40 ms per request, measured with wrk).
  http_.set_tcp_nodelay(true);
  // A worker is held for the whole request, mostly waiting for its group commit: the pool
  // bounds how many requests are in flight, and the writer needs the next group's requests
  // parsed while it writes the current one (batched ingest, 2 cores: 8 workers served 8
  // connections at 150,000 events/s, 32 workers 32 connections at 200,000).
  int threads = options_.threads;
  if (threads <= 0) threads = 16 * std::max(1u, std::thread::hardware_concurrency());
  http_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unexpected error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        SendProblem(res, 500, what);
      });
  http_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      SendProblem(res, 404, fmt::format("no route {} {}", req.method, req.path));
    } else if (res.status == 413) {
      SendProblem(res, 413, "the body is larger than the server accepts");
    }
  });
  AddLeadRoutes(*this);
  AddModelRoutes(*this);
  AddSegmentRoutes(*this);
  AddOpsRoutes(*this);
}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Bind(const std::string& host, int port) {
  if (port == 0) {
    int bound = http_.bind_to_any_port(host);
    if (bound <= 0) return Error(Status(StatusCode::kUnavailable, "cannot listen on " + host));
    RaiseListenBacklog(bound);
    return bound;
  }
  if (!http_.bind_to_port(host, port)) {
    return Error(
        Status(StatusCode::kUnavailable,
               fmt::format("cannot listen on {}:{} (in use, or not allowed)", host, port)));
  }
  RaiseListenBacklog(port);
  return port;
}

void HttpServer::Serve() { http_.listen_after_bind(); }

void HttpServer::Stop() { http_.stop(); }

bool HttpServer::Authorize(const httplib::Request& req, httplib::Response& res,
                           const std::string& scope) {
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
                       const std::string& name, const std::string& scope, Handler handler) {
  auto wrapped = [this, name = method + " " + name, scope, handler = std::move(handler)](
                     const httplib::Request& req, httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    if (Authorize(req, res, scope)) handler(req, res);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_.Observe(name, res.status, seconds);
  };
  if (method == "GET") {
    http_.Get(pattern, wrapped);
    return;
  }
  if (method == "DELETE") {
    http_.Delete(pattern, wrapped);
    return;
  }
  // Bodies are read here rather than by the library, which caps bodies labelled
  // application/x-www-form-urlencoded (the default of many clients) at 8 KB.
  auto reading = [this, wrapped](const httplib::Request& req, httplib::Response& res,
                                 const httplib::ContentReader& content_reader) {
    std::string body;
    bool too_large = false;
    // Past the limit the rest is read and dropped, so that a client that sends the whole body
    // before reading the answer (most do) gets the 413 rather than a broken pipe.
    bool complete = content_reader([&](const char* data, size_t length) {
      if (too_large || body.size() + length > options_.max_body_bytes) {
        too_large = true;
        std::string().swap(body);
        return true;
      }
      body.append(data, length);
      return true;
    });
    if (!complete && !too_large) {  // the connection broke
      return SendProblem(res, 400, "the body could not be read to its end");
    }
    if (too_large) {
      return SendProblem(res, 413,
                         fmt::format("the body is larger than the {} bytes the server accepts",
                                     options_.max_body_bytes));
    }
    // The Request belongs to the server's connection and is not const itself.
    const_cast<httplib::Request&>(req).body = std::move(body);
    wrapped(req, res);
  };
  if (method == "POST") {
    http_.Post(pattern, reading);
  } else if (method == "PUT") {
    http_.Put(pattern, reading);
  }
}

}  // namespace leadscore::server
