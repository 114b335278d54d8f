// HttpSession: one client connection. Reads a request (header, `100 Continue` when asked,
// body), hands it to the server's routes, writes the answer, and reads the next one; all
// without holding a thread while it waits. After the last answer of a connection it shuts its
// side and reads what the client still sends before closing (a lingering close), so that a
// client that sends a whole refused body before reading gets the answer, not a reset. A body
// is read only once the server's budget for bodies (server/body_budget.h) has room for it.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "server/body_budget.h"
#include "server/http_message.h"

namespace leadscore::server {

class HttpServer;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `socket` uses a strand of its own: the session's steps never run at the same time.
  HttpSession(boost::asio::ip::tcp::socket socket, HttpServer& server, boost::asio::io_context& io);

  // Starts reading the first request.
  void Start();
  // Closes the connection if it is waiting for a request (the server is stopping); one with a
  // request under way closes after answering it.
  void CloseIfIdle();

 private:
  void ReadHeader();
  // Hands what is held to the parser, and reads more while the header is not whole.
  void ParseHeader();
  void OnHeader(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  // A request that could not be read: 413 for a body over the limit, 400 for a malformed one,
  // or a quiet close (the client left, or was idle too long).
  void Refuse(boost::beast::error_code ec);
  // Answers and closes the connection once the answer is out, reading no more of the request.
  void AnswerAndClose(HttpResponse res);
  void Write(HttpResponse res);
  void Linger();
  void Drain();
  void Close();

  boost::beast::tcp_stream stream_;
  HttpServer& server_;
  boost::asio::io_context& io_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  // Keeps the server's threads running while a route works on this connection's request.
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  // The bytes of the request's body, from its header until its answer is written.
  std::optional<BodyBudget::Lease> body_lease_;
  std::vector<char> drain_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  // A request is routed or answered: a stopping server waits for it. A request whose body is
  // still on its way is not, so that a client that never sends it cannot hold up a stop.
  bool busy_ = false;
};

}  // namespace leadscore::server
