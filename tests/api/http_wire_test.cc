// The HTTP wire as clients other than a library speak it: raw bytes on a loopback socket to
// the real `leadscore serve` (SQLite), for what a client library would hide: the go-ahead
// before a large body, pipelined requests, HEAD, malformed requests, a refused body.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <string>

#include "api/server_process.h"
#include "testutil/cli_runner.h"
#include "testutil/scratch_store.h"

namespace leadscore {
namespace {

using testutil::RunLeadscore;
using testutil::ServeOptions;
using testutil::ServerProcess;

const std::string kEvent =
    R"({"event_id":"w1","lead_id":"wire","type":"page_view","ts":"2025-05-01T00:00:00Z"})";

// A blocking loopback connection with a deadline on every read.
class Connection {
 public:
  explicit Connection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  ~Connection() { close(fd_); }
  bool connected() const { return connected_; }

  bool Send(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Reads until `done(received)` or the peer closes or `timeout` passes; returns what came.
  template <typename Done>
  std::string ReadUntil(Done done, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(received_)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[4096];
      ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      received_.append(buffer, static_cast<size_t>(n));
    }
    return received_;
  }
  // Whole answers: `count` header blocks, each followed by its Content-Length of body.
  std::string ReadAnswers(int count) {
    return ReadUntil([count](const std::string& in) { return CountAnswers(in) >= count; });
  }
  bool closed() const { return closed_; }

  static int CountAnswers(const std::string& in) {
    int answers = 0;
    size_t at = 0;
    while (true) {
      size_t end = in.find("\r\n\r\n", at);
      if (end == std::string::npos) return answers;
      std::string header = in.substr(at, end - at);
      size_t length = 0;
      for (char& c : header) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t field = header.find("content-length:");
      if (field != std::string::npos) length = std::stoul(header.substr(field + 15));
      if (header.rfind("http/1.1 100", 0) == 0) length = 0;
      if (in.size() < end + 4 + length) return answers;
      ++answers;
      at = end + 4 + length;
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string received_;
};

class HttpWireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<testutil::ScratchStore>("sqlite");
    auto run = RunLeadscore({"token", "create", "--db", store_->target(), "--scope", "write"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    token_ = run.out.substr(0, run.out.find_last_not_of(" \n") + 1);
    options_.db = store_->target();
    options_.model = LEADSCORE_SOURCE_DIR "/examples/saas/model.yaml";
    options_.extra = {"--sweep-interval", "1h"};
    ASSERT_TRUE(server_.Start(options_));
  }
  void TearDown() override {
    if (server_.running()) {
      EXPECT_EQ(server_.Stop(), 0) << server_.log();
    }
  }

  std::string PostHeader(const std::string& path, size_t length, const std::string& extra = "") {
    return "POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(length) +
           "\r\n" + extra + "\r\n";
  }

  std::unique_ptr<testutil::ScratchStore> store_;
  std::string token_;
  ServeOptions options_;
  ServerProcess server_;
};

TEST_F(HttpWireTest, AskingToContinueGetsTheGoAheadBeforeTheBodyIsSent) {
  Connection c(server_.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(PostHeader("/v1/events", kEvent.size(), "Expect: 100-continue\r\n")));
  // curl waits a second for this before it sends anyway; a client may wait for ever.
  std::string go_ahead =
      c.ReadUntil([](const std::string& in) { return in.find("\r\n\r\n") != std::string::npos; },
                  std::chrono::seconds(3));
  ASSERT_EQ(go_ahead.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << go_ahead;
  ASSERT_TRUE(c.Send(kEvent));
  std::string answers = c.ReadAnswers(2);
  EXPECT_NE(answers.find("HTTP/1.1 200 OK"), std::string::npos) << answers;
  EXPECT_NE(answers.find(R"("accepted":1)"), std::string::npos) << answers;
}

TEST_F(HttpWireTest, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  Connection c(server_.port());
  ASSERT_TRUE(c.connected());
  // Three requests in one write: an event, a lead that does not exist, the health check.
  std::string bytes = PostHeader("/v1/events", kEvent.size()) + kEvent +
                      "GET /v1/leads/nobody HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                      token_ + "\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(c.Send(bytes));
  std::string answers = c.ReadAnswers(3);
  ASSERT_EQ(Connection::CountAnswers(answers), 3) << answers;
  size_t stored = answers.find("HTTP/1.1 200");
  size_t missing = answers.find("HTTP/1.1 404");
  size_t health = answers.find("HTTP/1.1 200", stored + 1);
  EXPECT_EQ(stored, 0u) << answers;
  EXPECT_LT(stored, missing) << answers;
  EXPECT_NE(health, std::string::npos) << answers;
  EXPECT_LT(missing, health) << answers;
  EXPECT_NE(answers.find(R"("status":"ok")"), std::string::npos) << answers;
}

TEST_F(HttpWireTest, HeadAnswersWithTheLengthOfGetAndNoBody) {
  Connection c(server_.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string head =
      c.ReadUntil([](const std::string& in) { return in.find("\r\n\r\n") != std::string::npos; });
  ASSERT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Length: "), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length: 0\r\n"), std::string::npos) << head;
  // No body follows: the next answer on the connection starts right after the header.
  const size_t header_end = head.find("\r\n\r\n") + 4;
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string both = c.ReadUntil(
      [](const std::string& in) { return in.find(R"("status":"ok")") != std::string::npos; });
  EXPECT_EQ(both.find("HTTP/1.1 200 OK\r\n", header_end), header_end) << both;
}

TEST_F(HttpWireTest, AMalformedRequestGetsA400ProblemAndTheConnectionCloses) {
  Connection c(server_.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("HELLO THERE\r\n\r\n"));
  std::string answer = c.ReadUntil([](const std::string&) { return false; });
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos) << answer;
  EXPECT_TRUE(c.closed()) << answer;
  // The server goes on serving others.
  Connection next(server_.port());
  ASSERT_TRUE(next.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_NE(next.ReadAnswers(1).find(R"("status":"ok")"), std::string::npos);
}

// Lines end in CRLF: a request whose lines end in a bare LF is refused saying so, not with
// the parser's "bad version".
TEST_F(HttpWireTest, ABareLfIsRefusedSayingLinesEndInCrlf) {
  Connection c(server_.port());
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\nHost: x\n\n"));
  std::string answer = c.ReadUntil([](const std::string&) { return false; });
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("bare LF"), std::string::npos) << answer;
  EXPECT_TRUE(c.closed()) << answer;
}

// A bare LF that ends the header's last line leaves the header without the end the parser
// looks for: it is refused at once all the same, not left to the idle timeout.
TEST_F(HttpWireTest, ABareLfEndingTheHeaderIsRefusedAtOnce) {
  Connection c(server_.port());
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: x\r\n\n"));
  std::string answer = c.ReadUntil([](const std::string&) { return false; });
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("bare LF"), std::string::npos) << answer;
  EXPECT_TRUE(c.closed()) << answer;
}

// Empty lines before a request line are ignored (RFC 9112, 2.2): some clients send a CRLF
// after a body; the request after it is answered.
TEST_F(HttpWireTest, EmptyLinesBeforeARequestAreIgnored) {
  Connection c(server_.port());
  ASSERT_TRUE(c.Send("\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string first = c.ReadAnswers(1);
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << first;
  // And between two requests of one connection, sent a byte at a time.
  for (char byte : std::string("\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n")) {
    ASSERT_TRUE(c.Send(std::string(1, byte)));
  }
  const std::string both = c.ReadAnswers(2);
  EXPECT_EQ(Connection::CountAnswers(both), 2) << both;
  EXPECT_EQ(both.find("400"), std::string::npos) << both;
}

// A target in absolute form, as a proxy sends it, is served as its path (RFC 9112, 3.2.2).
TEST_F(HttpWireTest, AnAbsoluteTargetIsServedAsItsPath) {
  Connection c(server_.port());
  ASSERT_TRUE(c.Send("GET http://leads.example.com:8080/health HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string answer = c.ReadAnswers(1);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find(R"("status":"ok")"), std::string::npos) << answer;
}

TEST_F(HttpWireTest, AKnownPathWithAnotherMethodIs405NamingTheMethodsItTakes) {
  Connection c(server_.port());
  ASSERT_TRUE(c.connected());
  const std::string auth = "Host: x\r\nAuthorization: Bearer " + token_ + "\r\n\r\n";
  ASSERT_TRUE(c.Send("DELETE /v1/events HTTP/1.1\r\n" + auth + "PATCH /v1/leads/x HTTP/1.1\r\n" +
                     auth + "GET /v1/nothing HTTP/1.1\r\n" + auth));
  std::string answers = c.ReadAnswers(3);
  ASSERT_EQ(Connection::CountAnswers(answers), 3) << answers;
  EXPECT_EQ(answers.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u) << answers;
  EXPECT_NE(answers.find("Allow: POST\r\n"), std::string::npos) << answers;
  EXPECT_NE(answers.find("Allow: DELETE, GET, HEAD\r\n"), std::string::npos)
      << "HEAD is served wherever GET is: " << answers;
  EXPECT_NE(answers.find("HTTP/1.1 404 Not Found\r\n"), std::string::npos) << answers;
}

TEST_F(HttpWireTest, ABodyFarOverTheLimitIsRefusedBeforeItIsSent) {
  Connection c(server_.port());
  ASSERT_TRUE(c.connected());
  // 1 GB announced: refused from the header, with the connection closed after the answer.
  ASSERT_TRUE(c.Send(PostHeader("/v1/events", size_t{1} << 30, "Expect: 100-continue\r\n")));
  std::string answer = c.ReadUntil([](const std::string&) { return false; });
  EXPECT_EQ(answer.rfind("HTTP/1.1 413 Payload Too Large\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("application/problem+json"), std::string::npos) << answer;
  EXPECT_TRUE(c.closed()) << answer;
}

TEST_F(HttpWireTest, BodiesBeyondTheServersBudgetAreAskedToComeBackAndThenGoThrough) {
  ASSERT_EQ(server_.Stop(), 0) << server_.log();
  options_.extra.insert(options_.extra.end(), {"--bodies-mb", "1"});
  ASSERT_TRUE(server_.Start(options_));
  auto body_of = [](const std::string& event_id) {
    std::string event = kEvent;
    event.replace(event.find("\"w1\""), 4, "\"" + event_id + "\"");
    return std::string(700 * 1024, ' ') + "[" + event + "]";
  };
  auto header_end = [](const std::string& in) { return in.find("\r\n\r\n") != std::string::npos; };

  // The first client's 700 KB are reserved once it has the go-ahead.
  Connection first(server_.port());
  const std::string first_body = body_of("b1");
  ASSERT_TRUE(first.Send(PostHeader("/v1/events", first_body.size(), "Expect: 100-continue\r\n")));
  ASSERT_EQ(first.ReadUntil(header_end).rfind("HTTP/1.1 100 Continue\r\n", 0), 0u);

  // A second 700 KB would pass the 1 MB budget: 503 before its body, and the connection closed.
  Connection second(server_.port());
  ASSERT_TRUE(second.Send(PostHeader("/v1/events", 700 * 1024 + 100, "Expect: 100-continue\r\n")));
  std::string refused = second.ReadUntil([](const std::string&) { return false; });
  EXPECT_EQ(refused.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << refused;
  EXPECT_NE(refused.find("Retry-After: 1\r\n"), std::string::npos) << refused;
  EXPECT_NE(refused.find("application/problem+json"), std::string::npos) << refused;
  EXPECT_TRUE(second.closed()) << refused;
  Connection metrics(server_.port());
  ASSERT_TRUE(metrics.Send("GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
                           "\r\n\r\n"));
  const std::string counted = metrics.ReadAnswers(1);
  const std::string line =
      "leadscore_http_requests_total{route=\"(refused before routing)\",status=\"503\"} 1";
  EXPECT_NE(counted.find(line), std::string::npos) << counted;

  // The first body goes through; then there is room for the second again.
  ASSERT_TRUE(first.Send(first_body));
  std::string stored = first.ReadAnswers(2);
  EXPECT_NE(stored.find(R"("accepted":1)"), std::string::npos) << stored;
  Connection retry(server_.port());
  const std::string second_body = body_of("b2");
  ASSERT_TRUE(retry.Send(PostHeader("/v1/events", second_body.size()) + second_body));
  std::string again = retry.ReadAnswers(1);
  EXPECT_NE(again.find(R"("accepted":1)"), std::string::npos) << again;

  // A body larger than the whole budget can never fit: 413 names the limit it meets.
  Connection large(server_.port());
  ASSERT_TRUE(large.Send(PostHeader("/v1/events", size_t{2} << 20)));
  std::string too_large = large.ReadUntil([](const std::string&) { return false; });
  EXPECT_EQ(too_large.rfind("HTTP/1.1 413 Payload Too Large\r\n", 0), 0u) << too_large;
  EXPECT_NE(too_large.find("1048576 bytes"), std::string::npos) << too_large;
}

// A body framed in a way the server does not read (a transfer coding other than chunked
// alone) would leave its bytes to be read as the next request: refused, and the connection
// closed, so a request hidden in the body never runs.
TEST_F(HttpWireTest, ATransferCodingOtherThanChunkedIsRefusedAndItsBodyNeverRuns) {
  const std::string hidden = PostHeader("/v1/events", kEvent.size()) + kEvent;
  for (const std::string coding : {"gzip", "identity", "chunked, gzip"}) {
    Connection c(server_.port());
    ASSERT_TRUE(c.Send("POST /v1/leads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
                       "\r\nTransfer-Encoding: " + coding + "\r\n\r\n" + hidden));
    std::string answer = c.ReadUntil([](const std::string&) { return false; });
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
    EXPECT_NE(answer.find("Transfer-Encoding \\\"" + coding + "\\\" is not read"),
              std::string::npos)
        << answer;
    EXPECT_EQ(Connection::CountAnswers(answer), 1) << answer;
    EXPECT_TRUE(c.closed()) << answer;
  }
  // Both a length and chunked: no one length.
  Connection both(server_.port());
  ASSERT_TRUE(both.Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
                        "\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"));
  std::string answer = both.ReadUntil([](const std::string&) { return false; });
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
  // Nothing of the hidden event was stored.
  Connection read(server_.port());
  ASSERT_TRUE(read.Send("GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
                        "\r\n\r\n"));
  const std::string metrics = read.ReadAnswers(1);
  EXPECT_NE(metrics.find("leadscore_events_ingested_total 0"), std::string::npos) << metrics;
}

// A header the server could read otherwise than a proxy in front of it: two Host or two
// Authorization fields. Refused with 400, the connection closed; the write never runs.
TEST_F(HttpWireTest, ADoubledHostOrAuthorizationIsRefused) {
  const std::string lead = R"({"lead_id":"smuggled"})";
  const std::string auth = "Authorization: Bearer " + token_ + "\r\n";
  const std::string length = "Content-Length: " + std::to_string(lead.size()) + "\r\n";
  const std::pair<std::string, std::string> cases[] = {
      {"Host: x\r\n" + auth + "Authorization: Bearer nope\r\n" + length,
       "one Authorization field, not 2"},
      {"Host: x\r\nHost: y\r\n" + auth + length, "one Host field, not 2"},
  };
  for (const auto& [fields, why] : cases) {
    Connection c(server_.port());
    ASSERT_TRUE(c.Send("POST /v1/leads HTTP/1.1\r\n" + fields + "\r\n" + lead));
    std::string answer = c.ReadUntil([](const std::string&) { return false; });
    EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
    EXPECT_NE(answer.find(why), std::string::npos) << answer;
    EXPECT_TRUE(c.closed()) << answer;
  }
  // HTTP/1.1 without a Host is refused too; HTTP/1.0 needs none.
  Connection no_host(server_.port());
  ASSERT_TRUE(no_host.Send("POST /v1/leads HTTP/1.1\r\n" + auth + length + "\r\n" + lead));
  std::string answer = no_host.ReadUntil([](const std::string&) { return false; });
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("carries a Host field"), std::string::npos) << answer;
  Connection old_client(server_.port());
  ASSERT_TRUE(old_client.Send("GET /health HTTP/1.0\r\n\r\n"));
  const std::string health = old_client.ReadUntil([](const std::string&) { return false; });
  EXPECT_EQ(health.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << health;
  // One of each is fine.
  Connection fine(server_.port());
  ASSERT_TRUE(fine.Send("GET /v1/leads/smuggled HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"));
  EXPECT_EQ(fine.ReadAnswers(1).rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
}

// A compressed body would be read as bytes of JSON: refused with 415, before it is read.
TEST_F(HttpWireTest, ACompressedBodyIs415) {
  Connection c(server_.port());
  ASSERT_TRUE(
      c.Send(PostHeader("/v1/events", kEvent.size(), "Content-Encoding: gzip\r\n") + kEvent));
  std::string answer = c.ReadAnswers(1);
  EXPECT_EQ(answer.rfind("HTTP/1.1 415 Unsupported Media Type\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("Content-Encoding \\\"gzip\\\" is not read"), std::string::npos) << answer;
}

// A client without a token does not get to hold the server's room for bodies: 401 from the
// header, before any of the body is sent, and the connection closed.
TEST_F(HttpWireTest, ABodyWithoutATokenIsRefusedFromItsHeader) {
  ASSERT_EQ(server_.Stop(), 0) << server_.log();
  options_.extra.insert(options_.extra.end(), {"--bodies-mb", "1"});
  ASSERT_TRUE(server_.Start(options_));
  std::vector<std::unique_ptr<Connection>> squatters;
  for (int i = 0; i < 4; ++i) {
    squatters.push_back(std::make_unique<Connection>(server_.port()));
    ASSERT_TRUE(squatters.back()->Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                                       std::to_string(900 * 1024) + "\r\n\r\n"));
    std::string answer = squatters.back()->ReadAnswers(1);
    EXPECT_EQ(answer.rfind("HTTP/1.1 401 Unauthorized\r\n", 0), 0u) << answer;
  }
  // A client with a token still gets its body in.
  Connection c(server_.port());
  ASSERT_TRUE(c.Send(PostHeader("/v1/events", kEvent.size()) + kEvent));
  std::string stored = c.ReadAnswers(1);
  EXPECT_NE(stored.find(R"("accepted":1)"), std::string::npos) << stored;
}

// A chunked body's trailer is bounded as a header is: a field over 64 KB gets 431, and the
// server goes on (Boost.Beast throws on such a field, which ended the process).
TEST_F(HttpWireTest, AChunkedTrailerOverTheHeaderLimitIs431) {
  Connection c(server_.port());
  ASSERT_TRUE(c.Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
                     "\r\nTransfer-Encoding: chunked\r\n\r\n" +
                     "1\r\n[\r\n0\r\nX-T: " + std::string(70000, 'a') + "\r\n\r\n"));
  std::string answer = c.ReadUntil([](const std::string&) { return false; });
  EXPECT_EQ(answer.rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0), 0u) << answer;
  Connection next(server_.port());
  ASSERT_TRUE(next.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_NE(next.ReadAnswers(1).find(R"("status":"ok")"), std::string::npos);
}

// A request whose body never arrives is not under way: a stopping server does not wait for it.
TEST_F(HttpWireTest, AStopDoesNotWaitForABodyThatNeverComes) {
  Connection c(server_.port());
  ASSERT_TRUE(c.Send(PostHeader("/v1/events", 100) + "{"));
  c.ReadUntil([](const std::string&) { return false; }, std::chrono::milliseconds(300));
  // Stop()'s deadline is 10 s; the connection stays open for the whole test.
  EXPECT_EQ(server_.Stop(), 0) << server_.log();
}

}  // namespace
}  // namespace leadscore
