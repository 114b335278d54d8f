#include "server/http_session.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>

#include "server/http_server.h"
#include "server/http_util.h"

namespace leadscore::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A kept-alive connection with no request for this long is closed.
constexpr auto kIdleTimeout = std::chrono::seconds(60);
// Reading a body or writing an answer may take this long (16 MB from a slow client).
constexpr auto kTransferTimeout = std::chrono::seconds(120);
// After the last answer, what the client still sends is read and dropped this long at most.
constexpr auto kLingerTimeout = std::chrono::seconds(10);
// A request's header (request line and fields) may not be larger.
constexpr uint32_t kMaxHeaderBytes = 64 * 1024;

bool IsParseError(beast::error_code ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// A request as routes read it, from its header; the body is added once read.
HttpRequest RequestOf(const http::request_header<>& header) {
  HttpRequest req;
  const auto method = header.method_string();
  req.method.assign(method.data(), method.size());
  const auto target = header.target();
  ParseTarget(std::string_view(target.data(), target.size()), req);
  for (const auto& field : header) {
    const auto name = field.name_string();
    const auto value = field.value();
    req.headers.emplace_back(std::string(name.data(), name.size()),
                             std::string(value.data(), value.size()));
  }
  return req;
}

// Why a request's body cannot be read as it is sent, or "". Only a body sent as it is, framed
// by Content-Length or by chunked alone, is read: another transfer coding framed the way the
// parser does not read it would leave the body's bytes to be read as the next request (request
// smuggling), and a body given two lengths has no one length (RFC 9112, 6.1 and 6.3).
std::string UnreadableBody(const http::request_header<>& header) {
  const auto coding = header[http::field::transfer_encoding];
  const bool has_length = header.find(http::field::content_length) != header.end();
  if (!coding.empty()) {
    if (!beast::iequals(coding, "chunked")) {
      return fmt::format(
          "Transfer-Encoding \"{}\" is not read: send the body as it is, with Content-Length or "
          "Transfer-Encoding: chunked",
          std::string_view(coding.data(), coding.size()));
    }
    if (has_length) return "a request may not have both Transfer-Encoding and Content-Length";
  }
  return "";
}

// Why a request's header cannot be taken as it is, or "" (the body: UnreadableBody): no Host,
// two Host or two Authorization fields, as which one counts is not said (RFC 9112, 3.2 for Host;
// for Authorization a proxy may check one while the server would read the other). A field folded
// over lines (obs-fold) is unfolded by the parser into spaces, as RFC 9112, 5.2 allows.
std::string UnreadableHeader(const http::request_header<>& header) {
  // RFC 9112, 3.2: a server must answer 400 to an HTTP/1.1 request without a Host.
  if (header.version() >= 11 && header.count(http::field::host) == 0) {
    return "an HTTP/1.1 request carries a Host field";
  }
  for (const auto& [field, name] : {std::pair{http::field::host, "Host"},
                                    std::pair{http::field::authorization, "Authorization"}}) {
    if (header.count(field) > 1) {
      return fmt::format("a request carries one {} field, not {}", name, header.count(field));
    }
  }
  return UnreadableBody(header);
}

// Why a body's content coding cannot be read, or "": the routes read JSON as it is.
std::string UnreadableCoding(const http::request_header<>& header) {
  const auto coding = header[http::field::content_encoding];
  if (coding.empty() || beast::iequals(coding, "identity")) return "";
  return fmt::format("Content-Encoding \"{}\" is not read: send the body uncompressed",
                     std::string_view(coding.data(), coding.size()));
}

// What the parser found wrong, in words a client's author can act on: Beast's own but for a
// line ended by a bare LF, which it reads as part of the line ("bad version"). RFC 9112, 2.2
// lets a server refuse those; it says why.
std::string ParseErrorText(beast::error_code ec, const beast::flat_buffer& received) {
  const auto bytes = received.data();
  const std::string_view text(static_cast<const char*>(bytes.data()), bytes.size());
  const size_t lf = text.find('\n');
  if (lf != std::string_view::npos && (lf == 0 || text[lf - 1] != '\r')) {
    return "a line ends in a bare LF; HTTP/1.1 lines end in CRLF (\\r\\n)";
  }
  return ec.message();
}

// RFC 9112, 2.2: a server SHOULD ignore empty lines received before a request line (some
// clients send a CRLF after a POST's body). Any run of CR and LF before it is dropped. Returns
// whether all that is held is such a run ending in CR, whose LF may be on its way: the CR is
// kept and more is read before the parser sees anything.
bool SkipEmptyLines(beast::flat_buffer& buffer) {
  const auto bytes = buffer.data();
  const char* text = static_cast<const char*>(bytes.data());
  size_t skipped = 0;
  while (skipped < bytes.size() && (text[skipped] == '\r' || text[skipped] == '\n')) ++skipped;
  if (skipped == bytes.size() && skipped > 0 && text[skipped - 1] == '\r') {
    buffer.consume(skipped - 1);
    return true;
  }
  buffer.consume(skipped);
  return false;
}

// Whether a line of what is held of the header ends in an LF without its CR.
bool HasBareLf(const beast::flat_buffer& buffer) {
  const auto bytes = buffer.data();
  const std::string_view text(static_cast<const char*>(bytes.data()), bytes.size());
  for (size_t lf = text.find('\n'); lf != std::string_view::npos; lf = text.find('\n', lf + 1)) {
    if (lf == 0 || text[lf - 1] != '\r') return true;
  }
  return false;
}

}  // namespace

HttpSession::HttpSession(tcp::socket socket, HttpServer& server, asio::io_context& io)
    : stream_(std::move(socket)), server_(server), io_(io) {
  // What the parser has not consumed yet is held here: a header, or a chunked body's trailer,
  // which the header limit does not bound. A trailer field past 64 KB would make Beast throw
  // from its parser; past this, the read fails with buffer_overflow instead (a 431).
  buffer_.max_size(kMaxHeaderBytes);
}

void HttpSession::Start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void HttpSession::CloseIfIdle() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (!self->busy_) self->Close();
  });
}

void HttpSession::ReadHeader() {
  if (server_.stopping()) return Close();
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  // A declared length over it is refused from the header, a chunked body once it grows past.
  parser_->body_limit(server_.max_body_bytes());
  stream_.expires_after(kIdleTimeout);
  ParseHeader();
}

// The header is read a piece at a time and handed to the parser here rather than by Beast's
// read, which waits for the header's end: a header whose last line ends in a bare LF
// ("...\r\n\n") has none, and would be answered only by the idle timeout.
void HttpSession::ParseHeader() {
  // Until a request line starts, a lone CR may begin an empty line: it waits for its LF.
  const bool awaiting_request_line = !parser_->got_some() && SkipEmptyLines(buffer_);
  if (buffer_.size() > 0 && !awaiting_request_line) {
    beast::error_code ec;
    buffer_.consume(parser_->put(buffer_.data(), ec));
    if (!ec) {
      if (parser_->is_header_done()) return OnHeader(ec);
    } else if (ec != http::error::need_more) {
      return Refuse(ec);
    }
    if (HasBareLf(buffer_)) return Refuse(http::error::bad_line_ending);
  }
  const size_t room = buffer_.max_size() - buffer_.size();
  if (room == 0) return Refuse(http::error::header_limit);
  stream_.async_read_some(buffer_.prepare(std::min<size_t>(room, 4096)),
                          [self = shared_from_this()](beast::error_code ec, size_t received) {
                            if (ec == asio::error::eof) {
                              ec = self->parser_->got_some() || self->buffer_.size() > 0
                                       ? http::error::partial_message
                                       : http::error::end_of_stream;
                            }
                            if (ec) return self->Refuse(ec);
                            self->buffer_.commit(received);
                            self->ParseHeader();
                          });
}

void HttpSession::OnHeader(beast::error_code ec) {
  if (ec) return Refuse(ec);
  const auto& header = parser_->get();
  version_ = header.version();
  keep_alive_ = header.keep_alive();
  head_ = header.method() == http::verb::head;
  if (std::string why = UnreadableHeader(header); !why.empty()) {
    HttpResponse res;
    SendProblem(res, 400, why);
    return AnswerAndClose(std::move(res));
  }
  // The body's bytes are reserved before it is read: a chunked one may grow to the limit.
  const size_t body_bytes =
      parser_->chunked() ? server_.max_body_bytes() : parser_->content_length().value_or(0);
  if (body_bytes > 0) {
    // A body is read only for a request its route would take: a client without a token, or
    // with a body no route reads, does not get to hold the server's room for bodies.
    HttpResponse refused;
    if (std::string why = UnreadableCoding(header); !why.empty()) {
      SendProblem(refused, 415, why);
      return AnswerAndClose(std::move(refused));
    }
    if (!server_.Admits(RequestOf(header), refused)) return AnswerAndClose(std::move(refused));
    body_lease_ = server_.body_budget().Reserve(body_bytes);
    if (!body_lease_) {
      HttpResponse res;
      res.set_header("Retry-After", "1");
      SendProblem(res, 503,
                  fmt::format("the server is receiving {} MB of request bodies, as many as it "
                              "holds at once; send this one again shortly",
                              server_.body_budget().capacity() >> 20));
      return AnswerAndClose(std::move(res));
    }
  }
  // curl, for one, asks before it sends a large body, and waits a second for the go-ahead.
  if (beast::iequals(header[http::field::expect], "100-continue")) {
    auto go_ahead =
        std::make_shared<http::response<http::empty_body>>(http::status::continue_, version_);
    stream_.expires_after(kTransferTimeout);
    http::async_write(stream_, *go_ahead,
                      [self = shared_from_this(), go_ahead](beast::error_code sent, size_t) {
                        if (sent) return self->Close();
                        self->ReadBody();
                      });
    return;
  }
  ReadBody();
}

void HttpSession::ReadBody() {
  stream_.expires_after(kTransferTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void HttpSession::OnBody(beast::error_code ec) {
  if (ec) return Refuse(ec);
  busy_ = true;             // from here the request is under way: a stopping server answers it
  stream_.expires_never();  // while the route works; each write sets its own
  auto message = parser_->release();
  parser_.reset();
  HttpRequest req = RequestOf(message.base());
  req.body = std::move(message.body());
  work_.emplace(asio::make_work_guard(io_));
  server_.Dispatch(std::move(req), Respond([self = shared_from_this()](Respond::Fill fill) {
                     asio::post(self->stream_.get_executor(), [self, fill = std::move(fill)] {
                       HttpResponse res;
                       fill(res);
                       self->Write(std::move(res));
                     });
                   }));
}

void HttpSession::Refuse(beast::error_code ec) {
  HttpResponse res;
  if (ec == http::error::body_limit) {
    SendProblem(res, 413,
                fmt::format("the body is larger than the {} bytes the server accepts",
                            server_.max_body_bytes()));
  } else if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    // buffer_overflow: a chunked body's trailer over the same limit.
    SendProblem(res, 431,
                fmt::format("the request's header (or trailer) is over {} bytes", kMaxHeaderBytes));
  } else if (IsParseError(ec)) {
    SendProblem(res, 400, "a malformed HTTP request: " + ParseErrorText(ec, buffer_));
  } else {
    return Close();  // the client closed, or was silent too long
  }
  AnswerAndClose(std::move(res));
}

void HttpSession::AnswerAndClose(HttpResponse res) {
  // Counted in /metrics apart from the routes: no route saw the request.
  server_.context().metrics.Observe("(refused before routing)", res.status, 0);
  busy_ = true;
  keep_alive_ = false;  // what is left of the request is read and dropped (Linger)
  Write(std::move(res));
}

void HttpSession::Write(HttpResponse res) {
  // The route is done with the body: its bytes are given back before the client can read the
  // answer and send the next request.
  body_lease_.reset();
  auto message = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(res.status), version_);
  if (!res.content_type.empty()) message->set(http::field::content_type, res.content_type);
  for (const auto& [name, value] : res.headers) message->insert(name, value);
  const bool keep_alive = keep_alive_ && !server_.stopping();
  message->keep_alive(keep_alive);
  message->body() = std::move(res.body);
  message->prepare_payload();
  if (head_) message->body().clear();  // the length of what GET would send, and no body
  stream_.expires_after(kTransferTimeout);
  // Header and body go out in one write.
  http::async_write(stream_, *message,
                    [self = shared_from_this(), message, keep_alive](beast::error_code ec, size_t) {
                      self->work_.reset();
                      self->busy_ = false;
                      if (ec) return self->Close();
                      if (!keep_alive) return self->Linger();
                      self->ReadHeader();
                    });
}

void HttpSession::Linger() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return Close();
  busy_ = true;  // not idle: the answer is on its way
  drain_.resize(16 * 1024);
  stream_.expires_after(kLingerTimeout);
  Drain();
}

void HttpSession::Drain() {
  stream_.async_read_some(asio::buffer(drain_),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->Close();  // the client's end, or the timeout
                            self->Drain();
                          });
}

void HttpSession::Close() {
  body_lease_.reset();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace leadscore::server
