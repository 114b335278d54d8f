// The HTTP API as a client sees it: the real `leadscore serve` on a free loopback port, driven
// with cpp-httplib's client, against SQLite and PostgreSQL (LEADSCORE_TEST_POSTGRES).
//
// Every test starts its own server on a fresh store, with tokens made by `leadscore token
// create`, and stops it with SIGTERM, which must end it with exit code 0. Scores expected here
// are computed by hand from examples/saas/model.yaml (see kHandLead) or taken from a batch
// `leadscore score` run on the same records. Waits poll with a deadline; no test sleeps for a
// fixed time.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "actions/signature.h"
#include "api/server_process.h"
#include "testutil/cli_runner.h"
#include "testutil/scratch_store.h"

namespace leadscore {
namespace {

using nlohmann::json;
using testutil::RunLeadscore;
using testutil::ScratchStore;
using testutil::ServeOptions;
using testutil::ServerProcess;
using testutil::TempDir;
using Clock = std::chrono::steady_clock;

const std::string kModelPath = LEADSCORE_SOURCE_DIR "/examples/saas/model.yaml";
constexpr auto kDeadline = std::chrono::seconds(10);

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// `2025-06-01T00:00:00Z` for a Unix time.
std::string IsoTime(int64_t unix_seconds) {
  std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Unix seconds (with the fraction) of `2025-06-01T00:00:00[.ffffff]Z`; NaN when it is not.
double ParseIso(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest) return std::nan("");
  double seconds = static_cast<double>(timegm(&tm));
  if (*rest == '.') {
    char* end = nullptr;
    seconds += std::strtod(rest, &end);
    rest = end;
  }
  return std::string(rest) == "Z" ? seconds : std::nan("");
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Base64(const std::string& in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// RFC 4180 rows (quoted cells, doubled quotes, embedded commas and newlines).
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(cell));
      cell.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      cell += c;
    }
  }
  if (!cell.empty() || !row.empty()) {
    row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

// A leads CSV as JSON objects, by the CSV rule of SCORING.md: an empty cell is null (left
// out), a cell that is a whole finite decimal is a number, anything else a string.
std::vector<json> CsvLeadsAsJson(const std::string& text) {
  auto rows = ParseCsv(text);
  std::vector<json> out;
  if (rows.empty()) return out;
  const auto& header = rows[0];
  for (size_t r = 1; r < rows.size(); ++r) {
    json lead = json::object();
    for (size_t c = 0; c < header.size() && c < rows[r].size(); ++c) {
      const std::string& cell = rows[r][c];
      if (cell.empty()) continue;
      char* end = nullptr;
      double number = std::strtod(cell.c_str(), &end);
      bool decimal = header[c] != "lead_id" && end == cell.c_str() + cell.size() &&
                     std::isfinite(number) &&
                     cell.find_first_not_of("+-.0123456789") == std::string::npos;
      if (decimal) {
        lead[header[c]] = number;
      } else {
        lead[header[c]] = cell;
      }
    }
    out.push_back(std::move(lead));
  }
  return out;
}

// One HTTP answer: status 0 when no answer came (body: the client's error).
struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  httplib::Headers headers;
  json doc;  // the body parsed, discarded when not JSON
};

std::ostream& operator<<(std::ostream& os, const Reply& r) {
  return os << "HTTP " << r.status << " " << r.body.substr(0, 2000);
}

// A local webhook receiver (the other end of the outbox): records every attempt and answers
// 500 to the first `fail_first` of them (all of them when negative), then 200.
class Receiver {
 public:
  struct Hit {
    std::string body, signature, idempotency_key, attempt;
    int answered = 0;
    int64_t received_at = 0;  // Unix seconds
  };

  explicit Receiver(int fail_first) : fail_first_(fail_first) {
    http_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      Hit hit{req.body,
              req.get_header_value("X-Leadscore-Signature"),
              req.get_header_value("Idempotency-Key"),
              req.get_header_value("X-Leadscore-Attempt"),
              0,
              UnixNow()};
      bool fail = fail_first_ < 0 || static_cast<int>(hits_.size()) < fail_first_;
      hit.answered = fail ? 500 : 200;
      res.status = hit.answered;
      res.set_content(fail ? "receiver says no" : "ok", "text/plain");
      hits_.push_back(std::move(hit));
    });
    // One request per connection: a kept-alive connection from the server would hold the
    // receiver's shutdown for the keep-alive timeout (5 s).
    http_.set_keep_alive_max_count(1);
    port_ = http_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { http_.listen_after_bind(); });
  }
  ~Receiver() {
    http_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<Hit> hits() const {
    std::lock_guard lock(mu_);
    return hits_;
  }
  size_t successes() const {
    std::lock_guard lock(mu_);
    return std::count_if(hits_.begin(), hits_.end(),
                         [](const Hit& h) { return h.answered == 200; });
  }

 private:
  int fail_first_;
  int port_ = 0;
  httplib::Server http_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<Hit> hits_;
};

::testing::AssertionResult Eventually(const std::function<bool()>& done, const std::string& what,
                                      std::chrono::milliseconds deadline = kDeadline) {
  const auto give_up = Clock::now() + deadline;
  while (true) {
    if (done()) return ::testing::AssertionSuccess();
    if (Clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return ::testing::AssertionFailure()
         << "timed out after " << deadline.count() << " ms waiting for " << what;
}

// The hand-scored lead of examples/saas/model.yaml, at kHandT = 2025-06-01T00:00:00Z:
//   fit: company_size 500 (not 10-100), industry IT (+15 it_sector), country DE -> 15, grade C;
//   engagement, 30-day half-life (decay 2^(-age/30d)):
//     h1 page_view     T-60d  5 * 1/4       = 1.25  \ page_visit 3.75
//     h2 page_view     T-30d  5 * 1/2       = 2.5   /
//     h3 email_open    T-30d  10 * 1/2      = 5
//     h4 download "White Paper 2025" T-30d   5 * 1/2 = 2.5 (white_paper)
//     h5 download "pricing.pdf"      T-30d   no rule (no "white" in the asset)
//     h6 demo_booked   T-15d  20 * 2^-0.5   = 14.1421...
//     h7 quote_request T      50 * 1        = 50
//   engagement 75.3921 -> 75.39; score 15 + 75.39 = 90.39 -> MQL (>= 65).
// One second before T the quote is not counted: engagement 25.39, score 40.39, no stage.
const char* kHandLead =
    R"({"lead_id":"hand","company_size":500,"industry":"IT","country":"DE","email":"ann@acme.io"})";
const char* kHandEvents =
    R"({"event_id":"h1","lead_id":"hand","type":"page_view","ts":"2025-04-02T00:00:00Z"}
{"event_id":"h2","lead_id":"hand","type":"page_view","ts":"2025-05-02T00:00:00Z"}
{"event_id":"h3","lead_id":"hand","type":"email_open","ts":"2025-05-02T00:00:00Z"}
{"event_id":"h4","lead_id":"hand","type":"download","ts":"2025-05-02T00:00:00Z","asset":"White Paper 2025"}
{"event_id":"h5","lead_id":"hand","type":"download","ts":"2025-05-02T00:00:00Z","asset":"pricing.pdf"}
{"event_id":"h6","lead_id":"hand","type":"demo_booked","ts":"2025-05-17T00:00:00Z"}
{"event_id":"h7","lead_id":"hand","type":"quote_request","ts":"2025-06-01T00:00:00Z"}
)";
const char* kHandT = "2025-06-01T00:00:00Z";

// A lead with fit 45 (sme 20 + it_sector 15 + france 10) and grade A: score 45 without events.
std::string Fit45Lead(const std::string& id) {
  return json{{"lead_id", id}, {"company_size", 50}, {"industry", "IT"}, {"country", "FR"}}.dump();
}

std::string Event(const std::string& lead, const std::string& id, const std::string& type,
                  const std::string& ts) {
  return json{{"event_id", id}, {"lead_id", lead}, {"type", type}, {"ts", ts}}.dump();
}

// examples/saas/model.yaml with another name and/or MQL threshold.
std::string ModelVariant(const std::string& name, int mql_threshold) {
  std::string yaml = ReadFile(kModelPath);
  yaml = std::regex_replace(yaml, std::regex("\nname: saas-pm\n"), "\nname: " + name + "\n");
  yaml = std::regex_replace(yaml, std::regex("score >= 65"),
                            "score >= " + std::to_string(mql_threshold));
  return yaml;
}

class ApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = std::make_unique<ScratchStore>(GetParam());
    if (!store_->available()) GTEST_SKIP() << store_->skip_reason();
    admin_ = MakeToken("admin");
    write_ = MakeToken("write");
    read_ = MakeToken("read");
    ASSERT_FALSE(admin_.empty() || write_.empty() || read_.empty());
  }

  void TearDown() override {
    if (server_.running()) {
      std::string log = server_.log();
      EXPECT_EQ(server_.Stop(), 0) << "SIGTERM must stop the server cleanly; log:\n" << log;
    }
  }

  std::string MakeToken(const std::string& scope) {
    auto run = RunLeadscore({"token", "create", "--db", store_->target(), "--scope", scope});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::string token = run.out;
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
      token.pop_back();
    }
    EXPECT_EQ(token.rfind("lsk_", 0), 0u) << token;
    return token;
  }

  // Starts the server on this test's store. The sweep is an hour away unless asked, so that no
  // time-driven pass lands in a test (each lasts seconds).
  ::testing::AssertionResult StartServer(const std::string& config = "",
                                         const std::string& sweep = "1h",
                                         const std::vector<std::string>& more_flags = {}) {
    ServeOptions options;
    options.db = store_->target();
    options.model = model_path_;
    options.config = config;
    options.extra = {"--sweep-interval", sweep, "--threads", "4"};
    options.extra.insert(options.extra.end(), more_flags.begin(), more_flags.end());
    auto started = server_.Start(options);
    if (started) client_ = server_.Client();
    return started;
  }

  ::testing::AssertionResult StopServer() {
    std::string log = server_.log();
    int code = server_.Stop();
    if (code != 0) {
      return ::testing::AssertionFailure() << "exit code " << code << "; log:\n" << log;
    }
    return ::testing::AssertionSuccess();
  }

  static Reply ToReply(const httplib::Result& res) {
    Reply r;
    if (!res) {
      r.body = "no answer: " + httplib::to_string(res.error());
      return r;
    }
    r.status = res->status;
    r.body = res->body;
    r.headers = res->headers;
    r.content_type = res->get_header_value("Content-Type");
    r.doc = json::parse(r.body, nullptr, false);
    return r;
  }

  // The --model StartServer gives.
  std::string model_path_ = kModelPath;

  static httplib::Headers Auth(const std::string& token) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return headers;
  }

  static httplib::Headers Basic(const std::string& user) {
    return {{"Authorization", "Basic " + Base64(user + ":")}};
  }

  Reply Get(const std::string& path, const std::string& token) {
    return ToReply(client_->Get(path, Auth(token)));
  }
  Reply Post(const std::string& path, const std::string& body, const std::string& token,
             const std::string& type = "application/json") {
    return ToReply(client_->Post(path, Auth(token), body, type));
  }
  Reply PostWith(const std::string& path, const std::string& body,
                 const httplib::Headers& headers) {
    return ToReply(client_->Post(path, headers, body, "application/json"));
  }
  Reply Put(const std::string& path, const std::string& body, const std::string& token) {
    return ToReply(client_->Put(path, Auth(token), body, "application/yaml"));
  }
  Reply Delete(const std::string& path, const std::string& token) {
    return ToReply(client_->Delete(path, Auth(token)));
  }

  // A problem document (RFC 7807) with `status`.
  static ::testing::AssertionResult IsProblem(const Reply& r, int status,
                                              const std::string& field = "") {
    if (r.status != status)
      return ::testing::AssertionFailure() << "expected " << status << ", " << r;
    if (r.content_type != "application/problem+json") {
      return ::testing::AssertionFailure() << "Content-Type " << r.content_type << ", " << r;
    }
    if (!r.doc.is_object() || r.doc.value("status", 0) != status || !r.doc.contains("title") ||
        !r.doc["detail"].is_string() || r.doc["detail"].get<std::string>().empty()) {
      return ::testing::AssertionFailure() << "not a problem document: " << r;
    }
    if (!field.empty() && r.doc.value("field", "") != field) {
      return ::testing::AssertionFailure() << "expected field " << field << ": " << r;
    }
    // The title is the status's reason phrase (RFC 9457 with "about:blank").
    static const std::map<int, std::string> kTitles = {{400, "Bad Request"},
                                                       {401, "Unauthorized"},
                                                       {403, "Forbidden"},
                                                       {404, "Not Found"},
                                                       {405, "Method Not Allowed"},
                                                       {409, "Conflict"},
                                                       {412, "Precondition Failed"},
                                                       {413, "Payload Too Large"},
                                                       {422, "Unprocessable Content"},
                                                       {431, "Request Header Fields Too Large"},
                                                       {500, "Internal Server Error"},
                                                       {503, "Service Unavailable"}};
    auto title = kTitles.find(status);
    if (title != kTitles.end() && r.doc["title"] != title->second) {
      return ::testing::AssertionFailure() << "expected title " << title->second << ": " << r;
    }
    if (r.doc["detail"].get<std::string>().back() == '\n') {
      return ::testing::AssertionFailure() << "the detail ends in a newline: " << r;
    }
    return ::testing::AssertionSuccess();
  }

  // The primary model's stored rows (GET /v1/leads?limit=1000&...).
  std::vector<json> Listed(const std::string& query = "") {
    Reply r = Get("/v1/leads?limit=1000" + query, read_);
    if (r.status != 200) return {};
    return r.doc["leads"].get<std::vector<json>>();
  }

  static std::map<std::string, json> ById(const std::vector<json>& rows) {
    std::map<std::string, json> out;
    for (const auto& row : rows) out[row["lead_id"].get<std::string>()] = row;
    return out;
  }

  json Transitions(const std::string& lead) {
    Reply r = Get("/v1/leads/" + lead + "/history", read_);
    return r.status == 200 ? r.doc["transitions"] : json::array();
  }

  // The lead's transitions once it has one (an empty array after the wait otherwise).
  json FirstTransitions(const std::string& lead) {
    json log = json::array();
    EXPECT_TRUE(Eventually(
        [&] {
          log = Transitions(lead);
          return !log.empty();
        },
        "a transition of " + lead));
    return log;
  }

  // A value of GET /metrics, -1 when it is not there.
  double Metric(const std::string& name) {
    const std::string text = Get("/metrics", read_).body;
    size_t at = text.find("\n" + name + " ");
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + name.size() + 2));
  }

  // Runs `leadscore generate` (50 leads, 2 months, seed 3) into `dir`, then sends its leads
  // (leads.csv rows as NDJSON objects, by CsvLeadsAsJson) and its events (events.jsonl lines as
  // NDJSON bodies of 400, in file order). `accepted` and `duplicates` sum the event answers.
  void SendGenerated(const TempDir& dir, size_t& accepted, size_t& duplicates) {
    auto gen = RunLeadscore(
        {"generate", "--out", dir.path(), "--leads", "50", "--months", "2", "--seed", "3"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    std::string leads;
    for (const auto& lead : CsvLeadsAsJson(dir.Read("leads.csv"))) leads += lead.dump() + "\n";
    Reply sent = Post("/v1/leads", leads, write_, "application/x-ndjson");
    ASSERT_EQ(sent.status, 200) << sent;
    ASSERT_EQ(sent.doc["accepted"], 50) << sent;
    auto lines = Lines(dir.Read("events.jsonl"));
    accepted = duplicates = 0;
    for (size_t start = 0; start < lines.size(); start += 400) {
      std::string body;
      for (size_t i = start; i < std::min(lines.size(), start + 400); ++i) body += lines[i] + "\n";
      Reply r = Post("/v1/events", body, write_, "application/x-ndjson");
      ASSERT_EQ(r.status, 200) << r;
      ASSERT_EQ(r.doc["rejected"], 0) << r;
      accepted += r.doc["accepted"].get<size_t>();
      duplicates += r.doc["duplicates"].get<size_t>();
    }
  }

  // `leadscore score` of SendGenerated's files as of `as_of` (JSON Lines, explained, with
  // `more_flags`): one object per lead.
  std::vector<json> BatchScores(const TempDir& data, const std::string& as_of,
                                const std::vector<std::string>& more_flags = {}) {
    const std::string out = data.File("batch-" + as_of + ".jsonl");
    std::vector<std::string> args = {"score",
                                     "--model",
                                     kModelPath,
                                     "--leads",
                                     data.File("leads.csv"),
                                     "--events",
                                     data.File("events.jsonl"),
                                     "--as-of",
                                     as_of,
                                     "--format",
                                     "jsonl",
                                     "--explain",
                                     "--output",
                                     out};
    args.insert(args.end(), more_flags.begin(), more_flags.end());
    auto batch = RunLeadscore(args);
    EXPECT_EQ(batch.exit_code, 0) << batch.err;
    std::vector<json> rows;
    for (const auto& line : Lines(ReadFile(out))) rows.push_back(json::parse(line));
    return rows;
  }

  std::unique_ptr<ScratchStore> store_;
  TempDir dir_;
  ServerProcess server_;
  std::unique_ptr<httplib::Client> client_;
  std::string admin_, write_, read_;
};

// ---- auth ----------------------------------------------------------------------------------

TEST_P(ApiTest, HealthNeedsNoTokenAndEverythingElseDoes) {
  ASSERT_TRUE(StartServer());
  Reply health = Get("/health", "");
  EXPECT_EQ(health.status, 200) << health;
  EXPECT_EQ(health.doc["status"], "ok") << health;

  Reply none = Get("/v1/leads", "");
  EXPECT_TRUE(IsProblem(none, 401));
  EXPECT_EQ(none.doc["title"], "Unauthorized");
  Reply unknown = Get("/v1/leads", "lsk_" + std::string(64, '0'));
  EXPECT_TRUE(IsProblem(unknown, 401));
  Reply garbage = ToReply(client_->Get("/v1/leads", {{"Authorization", "Token abc"}}));
  EXPECT_TRUE(IsProblem(garbage, 401));
  for (const char* path : {"/metrics", "/v1/model", "/v1/openapi.json", "/v1/leads/x"}) {
    EXPECT_TRUE(IsProblem(Get(path, ""), 401)) << path;
  }

  // read < write < admin.
  std::string event = Event("auth", "a1", "page_view", "2025-05-01T00:00:00Z");
  Reply refused = Post("/v1/events", event, read_);
  EXPECT_TRUE(IsProblem(refused, 403));
  EXPECT_TRUE(IsProblem(Get("/v1/leads/auth", read_), 404)) << "a refused write stored nothing";
  EXPECT_EQ(Post("/v1/events", event, write_).status, 200);
  EXPECT_EQ(Get("/v1/leads/auth", read_).status, 200);
  EXPECT_EQ(Get("/v1/leads/auth", write_).status, 200);
  EXPECT_EQ(Get("/v1/leads/auth", admin_).status, 200);
  EXPECT_TRUE(IsProblem(Delete("/v1/leads/auth", write_), 403));
}

TEST_P(ApiTest, SegmentBasicAuthTakesTheTokenAsUserName) {
  ASSERT_TRUE(StartServer());
  std::string track =
      R"({"userId":"basic","event":"page_view","timestamp":"2025-05-01T00:00:00Z","messageId":"b1"})";
  Reply ok = PostWith("/v1/track", track, Basic(write_));
  EXPECT_EQ(ok.status, 200) << ok;
  EXPECT_EQ(ok.doc["accepted"], 1) << ok;
  EXPECT_TRUE(IsProblem(PostWith("/v1/track", track, Basic(read_)), 403));
  EXPECT_TRUE(IsProblem(PostWith("/v1/track", track, Basic("lsk_nobody")), 401));
  // Basic works on the other routes too (one token check for all).
  Reply lead = ToReply(client_->Get("/v1/leads/basic", Basic(read_)));
  EXPECT_EQ(lead.status, 200) << lead;
}

// The scheme's case does not matter, and one or more spaces may follow it (RFC 9110, 11.4).
TEST_P(ApiTest, TheBearerSchemeIsCaseInsensitive) {
  ASSERT_TRUE(StartServer());
  Reply r = ToReply(client_->Get("/v1/model", {{"Authorization", "bearer " + read_}}));
  EXPECT_EQ(r.status, 200) << r;
  Reply spaced = ToReply(client_->Get("/v1/model", {{"Authorization", "Bearer   " + read_}}));
  EXPECT_EQ(spaced.status, 200) << spaced;
}

// ---- leads and events ----------------------------------------------------------------------

TEST_P(ApiTest, UpsertsLeadsAsObjectArrayOrNdjsonAndMergesAttributes) {
  ASSERT_TRUE(StartServer());
  Reply one = Post("/v1/leads", R"({"lead_id":"o1","company_size":50,"industry":"IT"})", write_);
  ASSERT_EQ(one.status, 200) << one;
  EXPECT_EQ(one.doc, json::parse(R"({"received":1,"accepted":1,"duplicates":0,"rejected":0,
                                      "errors":[]})"));

  Reply array = Post("/v1/leads",
                     R"([{"lead_id":"a1","country":"FR"},
                         {"lead_id":"a2","attributes":{"industry":"SaaS","company_size":20}}])",
                     write_);
  ASSERT_EQ(array.status, 200) << array;
  EXPECT_EQ(array.doc["accepted"], 2) << array;

  Reply ndjson = Post("/v1/leads",
                      "{\"lead_id\":\"n1\",\"country\":\"DE\"}\n"
                      "{\"country\":\"FR\"}\n"
                      "{\"lead_id\":\"n2\"}\n",
                      write_, "application/x-ndjson");
  ASSERT_EQ(ndjson.status, 200) << ndjson;
  EXPECT_EQ(ndjson.doc["received"], 3);
  EXPECT_EQ(ndjson.doc["accepted"], 2);
  EXPECT_EQ(ndjson.doc["rejected"], 1);
  ASSERT_EQ(ndjson.doc["errors"].size(), 1u) << ndjson;
  EXPECT_EQ(ndjson.doc["errors"][0]["index"], 1);
  EXPECT_EQ(ndjson.doc["errors"][0]["field"], "lead_id");
  EXPECT_FALSE(ndjson.doc["errors"][0]["reason"].get<std::string>().empty());

  // A line that is not JSON is rejected in the words `leadscore score` uses for it.
  Reply broken = Post("/v1/leads",
                      "{\"lead_id\":\"n3\"}\n"
                      "{\"lead_id\":\"n4\",}\n"
                      "[1]\n"
                      "nope\n",
                      write_, "application/x-ndjson");
  ASSERT_EQ(broken.status, 200) << broken;
  ASSERT_EQ(broken.doc["errors"].size(), 3u) << broken;
  EXPECT_EQ(broken.doc["errors"][0]["reason"],
            "invalid JSON: a comma, a colon, a brace or a key is missing or out of place");
  EXPECT_EQ(broken.doc["errors"][1]["reason"], "not a JSON object");
  EXPECT_EQ(broken.doc["errors"][2]["reason"], "not a JSON object") << "as batch says of it";
  Reply broken_array = Post("/v1/leads", "[{\"lead_id\":\"n5\"},{\"lead_id\":\"n6\"]", write_);
  EXPECT_EQ(broken_array.status, 400) << broken_array;
  EXPECT_EQ(broken_array.doc["detail"],
            "the body is not valid JSON (expected an array of objects): a comma, a colon, a brace "
            "or a key is missing or out of place");
  // An array whose shape is whole but one element of which is no JSON (a raw control character,
  // bytes that are not UTF-8): that element is rejected alone, in batch's words, and the others
  // taken, for leads as for events. An empty element leaves the shape unknown: the whole body.
  for (const char* route : {"/v1/leads", "/v1/events"}) {
    auto good = [&](const std::string& id) {
      return std::string(route) == "/v1/leads"
                 ? R"({"lead_id":")" + id + R"("})"
                 : Event(id, "e-" + id, "page_view", "2025-05-01T00:00:00Z");
    };
    Reply one_bad = Post(route,
                         "[" + good("n7") + ",{\"lead_id\":\"n8\x01\"},{\"lead_id\":\"n9\xff\"}," +
                             good("n10") + "]",
                         write_);
    ASSERT_EQ(one_bad.status, 200) << route << ": " << one_bad;
    EXPECT_EQ(one_bad.doc["received"], 4) << one_bad;
    EXPECT_EQ(one_bad.doc["rejected"], 2) << one_bad;
    ASSERT_EQ(one_bad.doc["errors"].size(), 2u) << one_bad;
    EXPECT_EQ(one_bad.doc["errors"][0]["index"], 1) << one_bad;
    EXPECT_EQ(one_bad.doc["errors"][0]["reason"],
              "invalid JSON: a control character inside a string (a tab is written \\t)")
        << one_bad;
    EXPECT_EQ(one_bad.doc["errors"][1]["index"], 2) << one_bad;
    EXPECT_EQ(one_bad.doc["errors"][1]["reason"], "invalid JSON: not valid UTF-8") << one_bad;
    EXPECT_TRUE(IsProblem(Post(route, "[" + good("n11") + ",]", write_), 400)) << route;
    EXPECT_TRUE(IsProblem(Post(route, "[" + good("n11") + "]]", write_), 400)) << route;
  }

  Reply a2 = Get("/v1/leads/a2", read_);
  ASSERT_EQ(a2.status, 200) << a2;
  EXPECT_EQ(a2.doc["attributes"], json::parse(R"({"industry":"SaaS","company_size":20})"));
  EXPECT_DOUBLE_EQ(a2.doc["fit"].get<double>(), 35);  // sme 20 + it_sector 15
  EXPECT_EQ(Get("/v1/leads/n2", read_).status, 200);

  Reply before = Get("/v1/leads/o1", read_);
  ASSERT_EQ(before.status, 200) << before;
  EXPECT_DOUBLE_EQ(before.doc["fit"].get<double>(), 35);
  // A second upsert merges: new keys are added, given keys replaced, the others kept.
  Reply again =
      Post("/v1/leads", R"({"lead_id":"o1","country":"FR","industry":"Software"})", write_);
  ASSERT_EQ(again.status, 200) << again;
  Reply merged = Get("/v1/leads/o1", read_);
  ASSERT_EQ(merged.status, 200) << merged;
  EXPECT_EQ(merged.doc["attributes"],
            json::parse(R"({"company_size":50,"industry":"Software","country":"FR"})"));
  EXPECT_DOUBLE_EQ(merged.doc["fit"].get<double>(), 45);
  EXPECT_EQ(merged.doc["grade"], "A");
  EXPECT_EQ(merged.doc["created_at"], before.doc["created_at"]);

  // Within one body the first record of a lead counts, as the first row of a file does; the
  // later one is rejected and its attributes are not merged.
  Reply repeated = Post("/v1/leads",
                        R"([{"lead_id":"r1","country":"FR"},{"lead_id":"r2"},
                            {"lead_id":"r1","country":"DE","industry":"IT"}])",
                        write_);
  ASSERT_EQ(repeated.status, 200) << repeated;
  EXPECT_EQ(repeated.doc["accepted"], 2) << repeated;
  ASSERT_EQ(repeated.doc["errors"].size(), 1u) << repeated;
  EXPECT_EQ(repeated.doc["errors"][0]["index"], 2);
  EXPECT_EQ(repeated.doc["errors"][0]["field"], "lead_id");
  EXPECT_EQ(repeated.doc["errors"][0]["reason"].get<std::string>().rfind(
                "lead_id \"r1\" already in this request at index 0", 0),
            0u)
      << repeated;
  Reply r1 = Get("/v1/leads/r1", read_);
  ASSERT_EQ(r1.status, 200) << r1;
  EXPECT_EQ(r1.doc["attributes"], json::parse(R"({"country":"FR"})"));

  EXPECT_TRUE(IsProblem(Post("/v1/leads", "[{\"lead_id\": ", write_), 400));
  EXPECT_TRUE(IsProblem(Post("/v1/leads", "", write_), 400));
}

// An upsert merges fields, the paths scoring reads (model-file.md): a nested key sent later
// keeps its stored sibling, and `utm.source` spelled with a dot or through an object is one
// field, whose latest value is scored, as batch scores the merged record.
TEST_P(ApiTest, AnUpsertMergesFieldsNotTopLevelKeys) {
  ASSERT_TRUE(StartServer());
  const std::string model =
      "version: 1\n"
      "name: utm\n"
      "fit:\n"
      "  rules:\n"
      "    - {id: google, when: utm.source == \"google\", points: 30}\n"
      "    - {id: cpc, when: utm.medium == \"cpc\", points: 5}\n";
  ASSERT_EQ(Put("/v1/model", model, admin_).status, 200);
  for (const char* lead :
       {R"({"lead_id":"A","utm":{"source":"google"}})", R"({"lead_id":"A","utm":{"medium":"cpc"}})",
        R"({"lead_id":"B","utm":{"source":"bing"}})", R"({"lead_id":"B","utm.source":"yahoo"})",
        R"({"lead_id":"B","utm":{"source":"google"}})"}) {
    ASSERT_EQ(Post("/v1/leads", lead, write_).status, 200) << lead;
  }
  Reply a = Get("/v1/leads/A", read_);
  ASSERT_EQ(a.status, 200) << a;
  EXPECT_EQ(a.doc["attributes"], json::parse(R"({"utm":{"source":"google","medium":"cpc"}})"));
  EXPECT_EQ(a.doc["fit"], 35) << a;
  Reply b = Get("/v1/leads/B", read_);
  ASSERT_EQ(b.status, 200) << b;
  EXPECT_EQ(b.doc["attributes"], json::parse(R"({"utm":{"source":"google"}})"));
  EXPECT_EQ(b.doc["fit"], 30) << b;

  // New top-level fields and a nested one in one upsert: the stored object grows before the
  // nested field goes in (this upsert crashed the server).
  ASSERT_EQ(Post("/v1/leads", R"({"lead_id":"C","utm":{"medium":"cpc"}})", write_).status, 200);
  Reply grown = Post(
      "/v1/leads", R"({"lead_id":"C","a":1,"b":2,"c":3,"d":4,"utm":{"source":"google"}})", write_);
  ASSERT_EQ(grown.status, 200) << grown;
  Reply c = Get("/v1/leads/C", read_);
  ASSERT_EQ(c.status, 200) << c;
  EXPECT_EQ(c.doc["attributes"],
            json::parse(R"({"utm":{"medium":"cpc","source":"google"},"a":1,"b":2,"c":3,"d":4})"));
  EXPECT_EQ(c.doc["fit"], 35) << c;
}

// A value that does not convert to the type the model declares is taken, stored as sent and
// read as null (SCORING.md, "Records"), and the answer says so, as `score` reports the row:
// for leads, events and Segment's calls alike, naming the models when more than one is active
// (here the new one and the example's, still live). A body whose values all convert has no
// `warnings`.
TEST_P(ApiTest, AValueNotOfItsDeclaredTypeIsTakenAndWarnedOf) {
  ASSERT_TRUE(StartServer());
  const std::string model =
      "version: 1\n"
      "name: typed\n"
      "fields: {company_size: number, amount: number, deal.size: number}\n"
      "fit:\n"
      "  rules:\n"
      "    - {id: sized, when: company_size >= 10, points: 30}\n"
      "    - {id: unsized, when: not exists(company_size), points: 1}\n"
      "engagement:\n"
      "  rules:\n"
      "    - {id: big, event: quote, when: amount > 100, points: 20, decay: none}\n"
      "    - {id: deal, event: quote, when: deal.size > 5, points: 5, decay: none}\n";
  ASSERT_EQ(Put("/v1/model", model, admin_).status, 200);
  Reply leads = Post("/v1/leads",
                     R"([{"lead_id":"w1","company_size":"abc"},{"lead_id":"w2","company_size":50},
                         {"lead_id":"w3","company_size":true}])",
                     write_);
  ASSERT_EQ(leads.status, 200) << leads;
  EXPECT_EQ(leads.doc["accepted"], 3) << leads;
  EXPECT_EQ(leads.doc["warnings"], json::parse(R"([{"index":0,"field":"company_size","reason":
                               "cannot convert \"abc\" to number; using null; models typed, saas-pm"},
                            {"index":2,"field":"company_size","reason":
                               "cannot convert \"true\" to number; using null; models typed, saas-pm"}])"))
      << leads;
  Reply events = Post("/v1/events",
                      R"([{"lead_id":"w2","type":"quote","ts":"2025-05-01","amount":500},
                          {"lead_id":"w2","type":"quote","ts":"2025-05-02","amount":"lots"}])",
                      write_);
  ASSERT_EQ(events.status, 200) << events;
  EXPECT_EQ(events.doc["accepted"], 2) << events;
  ASSERT_EQ(events.doc["warnings"].size(), 1u) << events;
  EXPECT_EQ(events.doc["warnings"][0]["index"], 1) << events;
  EXPECT_EQ(events.doc["warnings"][0]["field"], "amount") << events;
  EXPECT_EQ(events.doc["warnings"][0]["reason"],
            "cannot convert \"lots\" to number; using null; model typed")
      << "saas-pm, active beside it, does not declare amount: " << events;
  // A dotted field, nested or flat; and the same event with nothing to convert.
  Reply deals = Post("/v1/events",
                     R"([{"lead_id":"w3","type":"quote","ts":"2025-05-01","deal":{"size":"big"}},
                         {"lead_id":"w3","type":"quote","ts":"2025-05-02","deal.size":"huge"},
                         {"lead_id":"w3","type":"quote","ts":"2025-05-03","deal":{"size":9}}])",
                     write_);
  ASSERT_EQ(deals.status, 200) << deals;
  ASSERT_EQ(deals.doc["warnings"].size(), 2u) << deals;
  EXPECT_EQ(deals.doc["warnings"][0]["field"], "deal.size") << deals;
  EXPECT_EQ(deals.doc["warnings"][1]["index"], 1) << deals;
  Reply track = Post("/v1/track",
                     R"({"userId":"w2","event":"quote","timestamp":"2025-05-03T00:00:00Z",
                         "properties":{"amount":"a lot"}})",
                     write_);
  ASSERT_EQ(track.status, 200) << track;
  ASSERT_EQ(track.doc["warnings"].size(), 1u) << track;
  EXPECT_EQ(track.doc["warnings"][0]["field"], "amount") << track;
  Reply fine = Post("/v1/leads", R"({"lead_id":"w4","company_size":"12"})", write_);
  ASSERT_EQ(fine.status, 200) << fine;
  EXPECT_FALSE(fine.doc.contains("warnings")) << "\"12\" converts to 12: " << fine;

  Reply w1 = Get("/v1/leads/w1", read_);
  ASSERT_EQ(w1.status, 200) << w1;
  EXPECT_EQ(w1.doc["attributes"]["company_size"], "abc") << "stored as sent: " << w1;
  EXPECT_EQ(w1.doc["fit"], 1) << "scored as null: " << w1;
  Reply w2 = Get("/v1/leads/w2", read_);
  EXPECT_EQ(w2.doc["engagement"], 20) << "only the quote of 500 counts: " << w2;
}

// A record may nest 128 levels (its own object counted), in a body as in a file: one nested
// deeper is rejected on its own, by its index, and the other records of an array are taken.
TEST_P(ApiTest, ARecordNestedTooDeepIsRejectedAloneAsBatchSkipsIt) {
  ASSERT_TRUE(StartServer());
  auto nested = [](const std::string& id, int levels) {
    std::string inner = "1";
    for (int i = 1; i < levels; ++i) inner = R"({"a":)" + inner + "}";
    return R"({"lead_id":")" + id + R"(","company_size":50,"p":)" + inner + "}";
  };
  Reply one = Post("/v1/leads", nested("deep128", 128), write_);
  EXPECT_EQ(one.status, 200) << one;
  Reply array = Post("/v1/leads",
                     "[" + nested("deep129", 129) + "," + nested("deep128b", 128) + ",7]", write_);
  ASSERT_EQ(array.status, 200) << array;
  EXPECT_EQ(array.doc["accepted"], 1) << array;
  ASSERT_EQ(array.doc["errors"].size(), 2u) << array;
  EXPECT_EQ(array.doc["errors"][0]["index"], 0) << array;
  EXPECT_EQ(array.doc["errors"][0]["reason"], "invalid JSON: nested deeper than 128 levels");
  EXPECT_EQ(array.doc["errors"][1]["reason"], "not a JSON object");
  EXPECT_EQ(Get("/v1/leads/deep128b", read_).status, 200);
  EXPECT_EQ(Get("/v1/leads/deep129", read_).status, 404);

  // Batch reads the same lines alike.
  auto batch = RunLeadscore(
      {"score", "--model", kModelPath, "--leads",
       dir_.Write("deep.jsonl", nested("deep128", 128) + "\n" + nested("deep129", 129) + "\n"),
       "--as-of", "2025-10-10T00:00:00Z"});
  ASSERT_EQ(batch.exit_code, 0) << batch.err;
  EXPECT_NE(batch.out.find("deep128,"), std::string::npos) << batch.out;
  EXPECT_NE(batch.err.find(":2: invalid JSON: nested deeper than 128 levels"), std::string::npos)
      << batch.err;
}

// A lead's attributes and an event's body come back with their keys in the order they were
// sent (a new field after the stored ones), not sorted.
TEST_P(ApiTest, AnswersKeepTheKeysInTheOrderTheyWereSent) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", R"({"lead_id":"A","zeta":1,"alpha":{"z":1,"a":2}})", write_).status,
            200);
  ASSERT_EQ(Post("/v1/leads", R"({"lead_id":"A","mid":3,"zeta":4})", write_).status, 200);
  const std::string event =
      R"({"lead_id":"A","type":"page_view","ts":"2026-01-01T00:00:00Z","zz":1,"event_id":"e1"})";
  ASSERT_EQ(Post("/v1/events", event, write_).status, 200);
  const std::string attributes = R"("attributes":{"zeta":4,"alpha":{"z":1,"a":2},"mid":3})";

  Reply lead = Get("/v1/leads/A", read_);
  ASSERT_EQ(lead.status, 200) << lead;
  EXPECT_NE(lead.body.find(attributes), std::string::npos) << lead;
  EXPECT_EQ(lead.body.rfind(R"({"lead_id":"A",)", 0), 0u) << lead;
  Reply events = Get("/v1/leads/A/events", read_);
  ASSERT_EQ(events.status, 200) << events;
  EXPECT_NE(events.body.find(R"("event":)" + event), std::string::npos) << events;
  Reply exported = Get("/v1/leads/A/export", admin_);
  ASSERT_EQ(exported.status, 200) << exported;
  EXPECT_NE(exported.body.find(attributes), std::string::npos) << exported;
  EXPECT_NE(exported.body.find(R"("event":)" + event), std::string::npos) << exported;
}

// An id holding U+0000 is refused, naming the field, on every store (PostgreSQL's text cannot
// hold it) and in batch alike, so that the live and batch scores stay one.
TEST_P(ApiTest, AnIdHoldingNulIsRefusedNamingTheFieldAsBatchRefusesIt) {
  ASSERT_TRUE(StartServer());
  const std::string events =
      "{\"lead_id\":\"P\\u0000X\",\"type\":\"page_view\",\"ts\":1760000000,\"event_id\":\"p1\"}\n"
      "{\"lead_id\":\"Z\",\"type\":\"demo\\u0000\",\"ts\":1760000000,\"event_id\":\"z1\"}\n"
      "{\"lead_id\":\"Z\",\"type\":\"quote_request\",\"ts\":1760000000,\"event_id\":\"x\\u0000A\"}"
      "\n"
      "{\"lead_id\":\"P\",\"type\":\"quote_request\",\"ts\":1760000000,\"event_id\":\"p2\"}\n";
  Reply sent = Post("/v1/events", events, write_, "application/x-ndjson");
  ASSERT_EQ(sent.status, 200) << sent;
  EXPECT_EQ(sent.doc["accepted"], 1) << sent;
  ASSERT_EQ(sent.doc["errors"].size(), 3u) << sent;
  const char* fields[] = {"lead_id", "type", "event_id"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(sent.doc["errors"][i]["index"], i) << sent;
    EXPECT_EQ(sent.doc["errors"][i]["field"], fields[i]) << sent;
    EXPECT_EQ(sent.doc["errors"][i]["reason"],
              std::string(fields[i]) + " holds the character U+0000 (NUL), which no id may hold");
  }
  Reply lead = Post("/v1/leads", R"({"lead_id":"L\u0000","country":"FR"})", write_);
  EXPECT_EQ(lead.status, 400) << lead;
  EXPECT_EQ(lead.doc["errors"][0]["field"], "lead_id") << lead;
  Reply outcome = Post("/v1/outcomes", R"([{"lead_id":"P\u0000X","outcome":"won"}])", write_);
  EXPECT_EQ(outcome.status, 400) << outcome;
  EXPECT_EQ(Get("/v1/leads/P%00X", read_).status, 404);
  EXPECT_EQ(Get("/v1/leads/P", read_).doc["event_count"], 1);
  EXPECT_EQ(Get("/v1/leads/Z", read_).status, 404);

  auto batch =
      RunLeadscore({"score", "--model", kModelPath, "--events", dir_.Write("nul.jsonl", events),
                    "--as-of", "2025-10-10T00:00:00Z", "--format", "jsonl"});
  ASSERT_EQ(batch.exit_code, 0) << batch.err;
  auto rows = Lines(batch.out);
  ASSERT_EQ(rows.size(), 1u) << batch.out;
  EXPECT_EQ(json::parse(rows[0])["lead_id"], "P");
  EXPECT_NE(batch.err.find("event_id holds the character U+0000"), std::string::npos) << batch.err;
}

// A lead of many attributes is stored, and merged into, in time linear in them: 120,000
// attributes are answered well within the client's timeout (they took minutes when each key
// was looked up in the object before it was added).
TEST_P(ApiTest, ALeadOfManyAttributesIsStoredAndMerged) {
  ASSERT_TRUE(StartServer());
  constexpr int kKeys = 120000;
  std::string body = R"({"lead_id":"wide")";
  for (int i = 0; i < kKeys; ++i) body += fmt::format(",\"k{}\":{}", i, i);
  body += "}";
  Reply first = Post("/v1/leads", body, write_);
  ASSERT_EQ(first.status, 200) << first.body;
  body.back() = ',';
  body += R"("k0":"changed","extra":1})";
  Reply again = Post("/v1/leads", body, write_);
  ASSERT_EQ(again.status, 200) << again.body;
  Reply lead = Get("/v1/leads/wide", read_);
  ASSERT_EQ(lead.status, 200);
  EXPECT_EQ(lead.doc["attributes"].size(), size_t{kKeys + 1});
  EXPECT_EQ(lead.doc["attributes"]["k0"], "changed");
  EXPECT_EQ(lead.doc["attributes"]["k119999"], 119999);
}

TEST_P(ApiTest, ALeadWhoseIdHoldsASlashCanBeReadExportedAndDeleted) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", R"({"lead_id":"acme/42","industry":"IT"})", write_).status, 200);
  Reply lead = Get("/v1/leads/acme%2F42", read_);
  EXPECT_EQ(lead.status, 200) << lead;
  EXPECT_EQ(lead.doc["lead_id"], "acme/42");
  EXPECT_EQ(Get("/v1/leads/acme%2F42/export", admin_).status, 200);
  EXPECT_EQ(Delete("/v1/leads/acme%2F42", admin_).status, 204);
  // An id that ends as a route does ("z/events") is the lead, not that route of lead "z".
  ASSERT_EQ(Post("/v1/leads", R"([{"lead_id":"z/events","industry":"IT"},{"lead_id":"z"}])", write_)
                .status,
            200);
  Reply z = Get("/v1/leads/z%2Fevents", read_);
  EXPECT_EQ(z.status, 200) << z;
  EXPECT_EQ(z.doc["lead_id"], "z/events") << z;
  Reply z_events = Get("/v1/leads/z%2Fevents/events", read_);
  EXPECT_EQ(z_events.doc["lead_id"], "z/events") << z_events;
}

// A path of tens of kilobytes is matched against the routes like any other: it once overflowed
// the stack of a recursive regular-expression matcher, before the token was even checked.
TEST_P(ApiTest, AVeryLongLeadIdIsAnAnswerNotACrash) {
  ASSERT_TRUE(StartServer());
  const std::string id(60000, 'a');
  EXPECT_TRUE(IsProblem(Get("/v1/leads/" + id, ""), 401));
  EXPECT_TRUE(IsProblem(Get("/v1/leads/" + id, read_), 404));
  EXPECT_TRUE(IsProblem(Get("/v1/leads/" + id + "/events", read_), 404));
  EXPECT_TRUE(IsProblem(Get("/v1/leads/" + id + "/outcomes", read_), 404));
  EXPECT_TRUE(IsProblem(Delete("/v1/leads/" + id, admin_), 404));
  EXPECT_TRUE(IsProblem(Get("/v1/models/" + id, read_), 404));
  EXPECT_EQ(Get("/health", "").status, 200);
}

// The service stores no lead_id it could not address in a URL (over 16 KiB): such a lead could
// be neither read nor deleted. The longest it takes is read and deleted, percent-encoded.
TEST_P(ApiTest, ALeadIdTooLongForAUrlIsRejectedAndTheLongestTakenCanBeDeleted) {
  ASSERT_TRUE(StartServer());
  const std::string longest(16384, '%');  // 49,152 bytes percent-encoded
  const std::string too_long(16385, 'q');
  const std::string reason =
      "lead_id is 16385 bytes long; the service stores ids of at most "
      "16384 bytes, which a URL can address";
  for (const char* path : {"/v1/leads", "/v1/events", "/v1/outcomes"}) {
    const std::string body =
        std::string(R"({"lead_id":")") + too_long +
        R"(","type":"page_view","ts":"2025-01-01T00:00:00Z","outcome":"won","at":"2025-01-01"})";
    Reply r = Post(path, body, write_);
    EXPECT_EQ(r.status, 400) << path << ": " << r.status;
    EXPECT_NE(r.body.find(reason), std::string::npos) << path << ": " << r.body.substr(0, 300);
  }
  Reply identify = Post("/v1/identify", R"({"userId":")" + too_long + R"(","traits":{}})", write_);
  EXPECT_NE(identify.body.find("userId is 16385 bytes long"), std::string::npos)
      << identify.body.substr(0, 300);
  ASSERT_EQ(Post("/v1/leads", R"({"lead_id":")" + longest + R"("})", write_).status, 200);
  std::string encoded;
  for (size_t i = 0; i < longest.size(); ++i) encoded += "%25";
  EXPECT_EQ(Get("/v1/leads/" + encoded, read_).status, 200);
  EXPECT_EQ(Delete("/v1/leads/" + encoded, admin_).status, 204);
  EXPECT_EQ(Get("/v1/leads/" + encoded, read_).status, 404);
}

TEST_P(ApiTest, EventsReportAcceptedDuplicatesAndRejectedWithIndexFieldAndReason) {
  ASSERT_TRUE(StartServer());
  const std::string array = R"([
    {"event_id":"v1","lead_id":"ev","type":"page_view","ts":"2025-05-01T00:00:00Z"},
    {"event_id":"v2","lead_id":"ev","type":"email_open","ts":1746057600},
    {"event_id":"v1","lead_id":"ev","type":"page_view","ts":"2025-05-01T00:00:00Z"},
    {"event_id":"v3","lead_id":"ev","type":"page_view"},
    {"event_id":"v4","lead_id":"ev","type":"page_view","ts":"yesterday"},
    {"event_id":"v5","type":"page_view","ts":"2025-05-01T00:00:00Z"},
    {"event_id":"v6","lead_id":"ev","ts":"2025-05-01T00:00:00Z"},
    "not an object",
    {"lead_id":"ev","type":"page_view","ts":"2025-05-02T00:00:00Z"},
    {"event_id":"","lead_id":"ev","type":"page_view","ts":"2025-05-02T00:00:00Z"},
    {"event_id":true,"lead_id":"ev","type":"page_view","ts":"2025-05-02T00:00:00Z"},
    {"lead_id":{"id":"ev"},"type":"page_view","ts":"2025-05-02T00:00:00Z"}
  ])";
  Reply r = Post("/v1/events", array, write_);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.doc["received"], 12) << r;
  EXPECT_EQ(r.doc["accepted"], 5) << r;
  EXPECT_EQ(r.doc["duplicates"], 1) << r;
  EXPECT_EQ(r.doc["rejected"], 6) << r;
  std::map<int, std::string> fields;
  for (const auto& e : r.doc["errors"]) {
    EXPECT_FALSE(e.value("reason", "").empty()) << e;
    fields[e["index"].get<int>()] = e.value("field", "");
  }
  EXPECT_EQ(fields,
            (std::map<int, std::string>{
                {3, "ts"}, {4, "ts"}, {5, "lead_id"}, {6, "type"}, {7, ""}, {11, "lead_id"}}))
      << r;

  // The same body again: every event with an event_id is a duplicate; the ones without (an
  // empty or a bool event_id is none, as in batch scoring) are new.
  Reply again = Post("/v1/events", array, write_);
  ASSERT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.doc["accepted"], 3) << again;
  EXPECT_EQ(again.doc["duplicates"], 3) << again;

  // NDJSON: a line that is not JSON is rejected alone; blank lines are not records.
  std::string ndjson = Event("ev", "n1", "demo_booked", "2025-05-03T00:00:00Z") +
                       "\n{not json\n\n" +
                       Event("ev", "n1", "demo_booked", "2025-05-03T00:00:00Z") + "\n" +
                       Event("ev", "n2", "quote_request", "2025-05-03T00:00:00Z") + "\n";
  Reply nd = Post("/v1/events", ndjson, write_, "application/x-ndjson");
  ASSERT_EQ(nd.status, 200) << nd;
  EXPECT_EQ(nd.doc["received"], 4) << nd;
  EXPECT_EQ(nd.doc["accepted"], 2) << nd;
  EXPECT_EQ(nd.doc["duplicates"], 1) << nd;
  EXPECT_EQ(nd.doc["rejected"], 1) << nd;
  ASSERT_EQ(nd.doc["errors"].size(), 1u) << nd;
  EXPECT_EQ(nd.doc["errors"][0]["index"], 1) << nd;

  // NDJSON whose first line is an array (a line batch skips as not an object): that line is
  // rejected alone, not the body read as one bad array.
  for (const char* first : {"[1]", "[]", R"([{"lead_id":"ev"}])"}) {
    Reply arrayed =
        Post("/v1/events",
             std::string(first) + "\n" + Event("ev", "n3", "demo_booked", "2025-05-03T00:00:00Z"),
             write_, "application/x-ndjson");
    ASSERT_EQ(arrayed.status, 200) << first << ": " << arrayed;
    EXPECT_EQ(arrayed.doc["received"], 2) << arrayed;
    EXPECT_EQ(arrayed.doc["accepted"].get<int>() + arrayed.doc["duplicates"].get<int>(), 1)
        << arrayed;
    EXPECT_EQ(arrayed.doc["errors"][0]["reason"], "not a JSON object") << arrayed;
    Reply lead = Post("/v1/leads", std::string(first) + "\n" + R"({"lead_id":"nd-lead"})", write_,
                      "application/x-ndjson");
    ASSERT_EQ(lead.status, 200) << first << ": " << lead;
    EXPECT_EQ(lead.doc["accepted"], 1) << lead;
    EXPECT_EQ(lead.doc["errors"][0]["reason"], "not a JSON object") << lead;
  }

  // Stored once each, in arrival order.
  Reply events = Get("/v1/leads/ev/events", read_);
  ASSERT_EQ(events.status, 200) << events;
  std::vector<std::string> ids;
  for (const auto& e : events.doc["events"]) {
    auto id = e["event"].find("event_id");
    ids.push_back(id == e["event"].end() ? "-" : id->is_string() ? id->get<std::string>() : "?");
  }
  EXPECT_EQ(ids,
            (std::vector<std::string>{"v1", "v2", "-", "", "?", "-", "", "?", "n1", "n2", "n3"}))
      << events;
  EXPECT_TRUE(events.doc["next_cursor"].is_null()) << events;

  // Paged by limit and cursor: the pages together are the whole list, in the same order.
  std::vector<json> paged;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    Reply page =
        Get("/v1/leads/ev/events?limit=4" + (cursor.empty() ? "" : "&cursor=" + cursor), read_);
    ASSERT_EQ(page.status, 200) << page;
    ASSERT_LE(page.doc["events"].size(), 4u) << page;
    for (const auto& e : page.doc["events"]) paged.push_back(e);
    if (page.doc["next_cursor"].is_null()) break;
    cursor = page.doc["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(json(paged), events.doc["events"]);
  EXPECT_TRUE(IsProblem(Get("/v1/leads/ev/events?limit=1001", read_), 400, "limit"));
  EXPECT_TRUE(IsProblem(Get("/v1/leads/ev/events?cursor=-3", read_), 400, "cursor"));
  EXPECT_TRUE(IsProblem(Get("/v1/leads/ev/events?after=3", read_), 400));

  // Nothing usable: 400. Not JSON at all: 400 with a problem document.
  Reply none = Post("/v1/events", "{\"lead_id\":\"ev\"}\n[1]\n", write_, "application/x-ndjson");
  EXPECT_EQ(none.status, 400) << none;
  EXPECT_EQ(none.doc["rejected"], 2) << none;
  EXPECT_TRUE(IsProblem(Post("/v1/events", R"([{"lead_id": "ev", )", write_), 400));
  EXPECT_TRUE(IsProblem(Post("/v1/events", "  \n", write_), 400));
  EXPECT_TRUE(IsProblem(Post("/v1/events", "42", write_), 400));

  // A time that does not parse is named with its forms, or with the likelier cause when there
  // is one (milliseconds), once.
  Reply times = Post("/v1/events",
                     R"([{"lead_id":"ev","type":"x","ts":"soon"},
                         {"lead_id":"ev","type":"x","ts":1746057600000}])",
                     write_);
  ASSERT_EQ(times.doc["errors"].size(), 2u) << times;
  EXPECT_EQ(times.doc["errors"][0]["reason"],
            "cannot parse \"soon\" as a time (ISO-8601 or Unix seconds)");
  EXPECT_EQ(times.doc["errors"][1]["reason"],
            "cannot parse \"1746057600000\" as a time (Unix seconds past year 9999: "
            "milliseconds? write seconds)");
}

// A body of many bad records lists the first 1,000 errors by index and counts the others, so
// that the answer (and what the server holds to build it) stays small.
TEST_P(ApiTest, ManyRejectedRecordsListTheFirstThousandAndCountTheRest) {
  ASSERT_TRUE(StartServer());
  std::string body;
  for (int i = 0; i < 3000; ++i) body += i % 2 ? "1\n" : "{\"type\":\"x\",\"ts\":1760000000}\n";
  Reply r = Post("/v1/events", body, write_, "application/x-ndjson");
  ASSERT_EQ(r.status, 400) << r.body.substr(0, 500);
  EXPECT_EQ(r.doc["received"], 3000);
  EXPECT_EQ(r.doc["rejected"], 3000);
  ASSERT_EQ(r.doc["errors"].size(), 1000u);
  EXPECT_EQ(r.doc["errors_omitted"], 2000);
  for (size_t i = 0; i < 1000; ++i) ASSERT_EQ(r.doc["errors"][i]["index"], i);
  EXPECT_EQ(r.doc["errors"][0]["field"], "lead_id");
  EXPECT_EQ(r.doc["errors"][1]["reason"], "not a JSON object");
  Reply few = Post("/v1/events", "1\n", write_, "application/x-ndjson");
  EXPECT_FALSE(few.doc.contains("errors_omitted")) << few;
}

TEST_P(ApiTest, BodyOverTheLimitIs413) {
  ASSERT_TRUE(StartServer());
  std::string body(size_t{16} << 20, ' ');
  body += "[]";
  Reply r = Post("/v1/events", body, write_);
  EXPECT_TRUE(IsProblem(r, 413));
  // Exactly at the limit is read and stored.
  const std::string event =
      R"([{"lead_id":"big","type":"page_view","ts":"2025-01-01T00:00:00Z","event_id":"b1"}])";
  Reply under =
      Post("/v1/events", std::string((size_t{16} << 20) - event.size(), ' ') + event, write_);
  EXPECT_EQ(under.status, 200) << under;
  EXPECT_EQ(under.doc["accepted"], 1) << under;
}

// ---- one lead ------------------------------------------------------------------------------

TEST_P(ApiTest, LeadScoreMatchesTheHandComputedExample) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", kHandLead, write_).status, 200);
  Reply sent = Post("/v1/events", kHandEvents, write_, "application/x-ndjson");
  ASSERT_EQ(sent.status, 200) << sent;
  ASSERT_EQ(sent.doc["accepted"], 7) << sent;

  Reply r = Get(std::string("/v1/leads/hand?as_of=") + kHandT, read_);
  ASSERT_EQ(r.status, 200) << r;
  const json& lead = r.doc;
  EXPECT_EQ(lead["lead_id"], "hand");
  EXPECT_DOUBLE_EQ(lead["fit"].get<double>(), 15);
  EXPECT_DOUBLE_EQ(lead["engagement"].get<double>(), 75.39);
  EXPECT_DOUBLE_EQ(lead["score"].get<double>(), 90.39);
  EXPECT_EQ(lead["grade"], "C");
  EXPECT_EQ(lead["stage"], "MQL");
  EXPECT_EQ(lead["model"], "saas-pm");
  EXPECT_EQ(lead["as_of"], kHandT);
  EXPECT_EQ(lead["attributes"], json::parse(R"({"company_size":500,"industry":"IT","country":"DE",
                            "email":"ann@acme.io"})"));
  // Largest first, ties by rule id.
  EXPECT_EQ(lead["reasons"], json::parse(R"([
      {"rule":"quote","points":50.0}, {"rule":"it_sector","points":15.0},
      {"rule":"demo","points":14.14}, {"rule":"email_open","points":5.0},
      {"rule":"page_visit","points":3.75}, {"rule":"white_paper","points":2.5}])"))
      << lead["reasons"];
  ASSERT_TRUE(lead["scores"].contains("saas-pm")) << lead;
  for (const char* key : {"score", "fit", "engagement", "grade", "stage", "reasons"}) {
    EXPECT_EQ(lead["scores"]["saas-pm"][key], lead[key]) << key;
  }

  // Every contribution decays with the same 30-day half-life, so the lead cools out of MQL
  // (15 + engagement < 65) when 75.3921 * 2^(-x/30d) = 50: x = 30d * log2(75.3921 / 50).
  const double raw_engagement = 1.25 + 2.5 + 5 + 2.5 + 20 / std::sqrt(2.0) + 50;
  const double cools_at = ParseIso(kHandT) + 30 * 86400 * std::log2(raw_engagement / 50);
  ASSERT_TRUE(lead["stage_change_at"].is_string()) << lead;
  EXPECT_NEAR(ParseIso(lead["stage_change_at"]), cools_at, 2.0) << lead["stage_change_at"];

  // One second before the quote request: it is not counted.
  Reply before = Get("/v1/leads/hand?as_of=2025-05-31T23:59:59Z", read_);
  ASSERT_EQ(before.status, 200) << before;
  EXPECT_DOUBLE_EQ(before.doc["engagement"].get<double>(), 25.39);
  EXPECT_DOUBLE_EQ(before.doc["score"].get<double>(), 40.39);
  EXPECT_TRUE(before.doc["stage"].is_null()) << before;
  ASSERT_TRUE(before.doc.contains("stage_change_at")) << before;  // null, as api.md says
  EXPECT_TRUE(before.doc["stage_change_at"].is_null()) << before;
  EXPECT_EQ(before.doc["grade"], "C");
  // Before any event: fit only. Unix seconds are accepted too.
  Reply fit_only = Get("/v1/leads/hand?as_of=1743465600", read_);  // 2025-04-01
  ASSERT_EQ(fit_only.status, 200) << fit_only;
  EXPECT_DOUBLE_EQ(fit_only.doc["score"].get<double>(), 15);
  EXPECT_EQ(fit_only.doc["reasons"], json::parse(R"([{"rule":"it_sector","points":15.0}])"));

  EXPECT_TRUE(IsProblem(Get("/v1/leads/nobody", read_), 404));
  EXPECT_TRUE(IsProblem(Get("/v1/leads/hand?as_of=someday", read_), 400, "as_of"));
}

TEST_P(ApiTest, LiveScoresEqualABatchRunOfTheSameRecords) {
  ASSERT_TRUE(StartServer());
  TempDir data;
  size_t accepted = 0, duplicates = 0;
  ASSERT_NO_FATAL_FAILURE(SendGenerated(data, accepted, duplicates));
  EXPECT_EQ(accepted, Lines(data.Read("events.jsonl")).size() - 1);
  EXPECT_EQ(duplicates, 1u);  // generate re-sends one event

  for (const char* as_of : {"2026-01-01T00:00:00Z", "2025-12-01T00:00:00Z"}) {
    const std::vector<json> rows = BatchScores(data, as_of, {"--threads", "1"});
    ASSERT_EQ(rows.size(), 50u);
    for (const json& want : rows) {
      std::string id = want["lead_id"];
      Reply got = Get("/v1/leads/" + id + "?as_of=" + as_of, read_);
      ASSERT_EQ(got.status, 200) << got;
      SCOPED_TRACE(id + " as of " + as_of);
      EXPECT_DOUBLE_EQ(got.doc["score"].get<double>(), want["score"].get<double>());
      EXPECT_DOUBLE_EQ(got.doc["fit"].get<double>(), want["fit"].get<double>());
      EXPECT_DOUBLE_EQ(got.doc["engagement"].get<double>(), want["engagement"].get<double>());
      EXPECT_EQ(got.doc["grade"], want["grade"]);
      EXPECT_EQ(got.doc["stage"], want["stage"]);
      EXPECT_EQ(got.doc["reasons"], want["reasons"]);
    }
  }
}

// A lead read again is served from the parsed events the server keeps (a lead of 16 events or
// more): events sent after the first read count, and a lead deleted and sent again holds only
// its new events.
TEST_P(ApiTest, AReadAgainSeesTheEventsSentSinceAndNoneOfADeletedLead) {
  ASSERT_TRUE(StartServer());
  const std::string ts = "2025-12-01T00:00:00Z";
  auto send = [&](const std::string& prefix, const std::string& type, int n) {
    std::string body;
    for (int i = 0; i < n; ++i)
      body += fmt::format("{}\n", Event("busy", fmt::format("{}{}", prefix, i), type, ts));
    Reply sent = Post("/v1/events", body, write_, "application/x-ndjson");
    ASSERT_EQ(sent.status, 200) << sent;
    ASSERT_EQ(sent.doc["accepted"], n) << sent;
  };
  auto engagement = [&] {
    Reply got = Get("/v1/leads/busy?as_of=" + ts, read_);
    EXPECT_EQ(got.status, 200) << got;
    return got.doc.value("engagement", -1.0);
  };
  ASSERT_NO_FATAL_FAILURE(send("p", "page_view", 20));
  EXPECT_EQ(engagement(), 25);  // 20 page views, capped at 25
  EXPECT_EQ(engagement(), 25);
  EXPECT_GE(Metric("leadscore_event_cache_hits_total"), 1);
  ASSERT_NO_FATAL_FAILURE(send("e", "email_open", 2));
  EXPECT_EQ(engagement(), 45);  // the newer events parsed on top of the kept ones
  EXPECT_GE(Metric("leadscore_event_cache_extended_total"), 1);
  ASSERT_NO_FATAL_FAILURE(send("q", "quote_request", 1));
  EXPECT_EQ(engagement(), 95);

  ASSERT_EQ(Delete("/v1/leads/busy", admin_).status, 204);
  ASSERT_NO_FATAL_FAILURE(send("d", "demo_booked", 23));  // as many events as before
  EXPECT_EQ(engagement(), 100);  // 23 demos, clamped; no page view, no quote
  Reply got = Get("/v1/leads/busy?as_of=" + ts, read_);
  EXPECT_EQ(got.doc["event_count"], 23) << got;
  std::set<std::string> rules;
  for (const auto& reason : got.doc["reasons"]) rules.insert(reason.value("rule", ""));
  EXPECT_EQ(rules, (std::set<std::string>{"demo", "cut:engagement"})) << got;
}

// `leadscore ingest` beside the running server: once it has committed, a read of a lead shows
// the events it appended, as it shows its attributes, without waiting for a sweep.
TEST_P(ApiTest, AReadSeesTheEventsAnotherProcessAppended) {
  ASSERT_TRUE(StartServer());
  const std::string ts = IsoTime(UnixNow() - 3600);
  ASSERT_EQ(Post("/v1/events", Event("I1", "i0", "page_view", ts), write_).status, 200);
  ASSERT_EQ(Get("/v1/leads/I1", read_).doc["event_count"], 1);
  const std::string events =
      Event("I1", "i1", "quote_request", ts) + "\n" + Event("I2", "i2", "quote_request", ts) + "\n";
  auto ingested = RunLeadscore({"ingest", "--db", store_->target(), "--leads",
                                dir_.Write("beside.csv", "lead_id,country\nI1,FR\nI2,FR\n"),
                                "--events", dir_.Write("beside.jsonl", events)});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  Reply one = Get("/v1/leads/I1", read_);
  ASSERT_EQ(one.status, 200) << one;
  EXPECT_EQ(one.doc["event_count"], 2) << one;
  EXPECT_EQ(one.doc["attributes"]["country"], "FR") << one;
  Reply two = Get("/v1/leads/I2", read_);
  ASSERT_EQ(two.status, 200) << two;
  EXPECT_EQ(two.doc["event_count"], 1) << two;
  EXPECT_GT(two.doc["engagement"].get<double>(), 0) << two;
  EXPECT_EQ(Get("/v1/leads/I2/events", read_).doc["events"].size(), 1u);
  // The leads caught up with are rescored as the server's own writes are, without a sweep.
  ASSERT_TRUE(Eventually(
      [&] {
        auto rows = ById(Listed());
        return rows.count("I2") && rows["I2"]["score"] == two.doc["score"];
      },
      "I2 stored with its ingested event"));
  // The server's own writes go on after the ingested ones; a duplicate of one is known.
  Reply again = Post("/v1/events", Event("I2", "i2", "quote_request", ts), write_);
  EXPECT_EQ(again.doc["duplicates"], 1) << again;
  EXPECT_EQ(Get("/v1/leads/I2", read_).doc["event_count"], 1);
}

// A record with a repeated key, or with spaces between its tokens, means to the live service
// what the same line means to `leadscore score`: the last value of a repeated key wins in both.
TEST_P(ApiTest, MessyEventsScoreLiveAsTheSameLinesDoInBatch) {
  ASSERT_TRUE(StartServer());
  TempDir data;
  const std::vector<std::string> lines = {
      R"({"lead_id":"mk","type":"demo_booked","type":"page_view","ts":"2025-12-20T00:00:00Z"})",
      R"({"lead_id":"mk","ts":"2025-12-21T00:00:00Z","ts":"2020-01-01T00:00:00Z",)"
      R"("type":"email_open","event_id":"m2","event_id":"m9"})",
      R"({ "lead_id" : "mk" , "type" : "quote_request" , "ts" : 1766275200 , "note" : "a b" })",
      R"({"lead_id":"mk","type":"email_open","ts":"2025-12-22T00:00:00Z","event_id":"m9"})",
  };
  std::string body;
  for (const std::string& line : lines) body += line + "\n";
  data.Write("leads.csv", "lead_id\n");
  data.Write("events.jsonl", body);
  Reply sent = Post("/v1/events", body, write_, "application/x-ndjson");
  ASSERT_EQ(sent.status, 200) << sent;
  EXPECT_EQ(sent.doc["accepted"], 3) << sent;  // "m9" is the second line's event_id
  EXPECT_EQ(sent.doc["duplicates"], 1) << sent;

  const std::string as_of = "2026-01-01T00:00:00Z";
  const std::vector<json> rows = BatchScores(data, as_of);
  ASSERT_EQ(rows.size(), 1u);
  Reply got = Get("/v1/leads/mk?as_of=" + as_of, read_);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_DOUBLE_EQ(got.doc["engagement"].get<double>(), rows[0]["engagement"].get<double>());
  EXPECT_EQ(got.doc["reasons"], rows[0]["reasons"]);
  // The first line is a page view (not a demo); one email open; the quote.
  std::vector<std::string> rules;
  for (const auto& reason : got.doc["reasons"]) rules.push_back(reason.value("rule", ""));
  EXPECT_EQ(std::find(rules.begin(), rules.end(), "demo"), rules.end()) << got;
  EXPECT_NE(std::find(rules.begin(), rules.end(), "page_visit"), rules.end()) << got;
}

// A trees model trained on a larger history predicts each live lead exactly as `score
// --predictive` does from the same records, as of any time: its derived columns and the rule
// features of the model it was trained beside (each lead's events replayed up to the time)
// included.
TEST_P(ApiTest, PredictiveProbabilityEqualsABatchRunOfTheSameRecords) {
  TempDir history;
  auto gen = RunLeadscore(
      {"generate", "--out", history.path(), "--leads", "3000", "--months", "12", "--seed", "8"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string trees = history.File("trees.json");
  const std::string features = history.Write("features.yaml", R"(exclude: [email, company]
derived:
  - {name: budget_per_head, expr: 'budget / max(company_size, 1)'}
  - {name: free_mail, expr: 'domain(email) in ["gmail.com", "yahoo.com", "hotmail.com"]'}
)");
  auto trained = RunLeadscore(
      {"train", "--leads", history.File("leads.csv"), "--events", history.File("events.jsonl"),
       "--outcomes", history.File("outcomes.csv"), "--outcome", "sql", "--reference", "2025-09-01",
       "--features", features, "--model", kModelPath, "--kind", "trees", "--out", trees});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  ASSERT_NE(trained.err.find("rule features"), std::string::npos) << trained.err;

  ASSERT_TRUE(StartServer("", "1h", {"--predictive", trees}));
  TempDir data;
  size_t accepted = 0, duplicates = 0;
  ASSERT_NO_FATAL_FAILURE(SendGenerated(data, accepted, duplicates));
  std::set<double> distinct;
  bool used_rules = false;  // some lead's reasons name a rule feature
  for (const char* as_of : {"2026-01-01T00:00:00Z", "2025-12-01T00:00:00Z"}) {
    const std::vector<json> rows = BatchScores(data, as_of, {"--predictive", trees});
    ASSERT_EQ(rows.size(), 50u);
    for (const json& want : rows) {
      std::string id = want["lead_id"];
      Reply got = Get("/v1/leads/" + id + "?as_of=" + as_of, read_);
      ASSERT_EQ(got.status, 200) << got;
      SCOPED_TRACE(id + " as of " + as_of);
      ASSERT_TRUE(got.doc.contains("predictive")) << got;
      const json& live = got.doc["predictive"];
      EXPECT_NEAR(live["probability"].get<double>(), want["probability"].get<double>(), 1e-4);
      distinct.insert(want["probability"].get<double>());
      const json& why = want["probability_reasons"];
      ASSERT_EQ(live["reasons"].size(), why.size()) << live;
      for (const json& r : why) used_rules |= r["feature"].get<std::string>().starts_with("rule:");
      for (size_t i = 0; i < why.size(); ++i) {
        EXPECT_EQ(live["reasons"][i]["feature"], why[i]["feature"]);
        EXPECT_NEAR(live["reasons"][i]["value"].get<double>(), why[i]["value"].get<double>(), 1e-4);
      }
    }
  }
  EXPECT_GT(distinct.size(), 10u) << "every lead got the same probability";
  EXPECT_TRUE(used_rules) << "no lead's prediction leaned on a rule feature";
}

TEST_P(ApiTest, ListFiltersAndPagesThroughEveryLeadOnceInScoreOrder) {
  ASSERT_TRUE(StartServer());
  TempDir data;
  size_t accepted = 0, duplicates = 0;
  ASSERT_NO_FATAL_FAILURE(SendGenerated(data, accepted, duplicates));
  // One lead hot now, so that the stage filter has something to find.
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("hot"), write_).status, 200);
  ASSERT_EQ(
      Post("/v1/events", Event("hot", "hot-q", "quote_request", IsoTime(UnixNow() - 60)), write_)
          .status,
      200);
  const size_t kLeads = 51;

  // Wait for the rescorer: every lead listed, and every stored score equal to the live score
  // at the time it was stored.
  std::vector<json> all;
  ASSERT_TRUE(Eventually(
      [&] {
        all = Listed();
        if (all.size() != kLeads) return false;
        for (const auto& row : all) {
          Reply live = Get("/v1/leads/" + row["lead_id"].get<std::string>() +
                               "?as_of=" + row["scored_at"].get<std::string>(),
                           read_);
          if (live.status != 200 || live.doc["score"] != row["score"] ||
              live.doc["stage"] != row["stage"]) {
            return false;
          }
        }
        return true;
      },
      "every lead scored and stored"))
      << "listed " << all.size();

  for (size_t i = 1; i < all.size(); ++i) {
    double a = all[i - 1]["score"], b = all[i]["score"];
    EXPECT_TRUE(a > b || (a == b && all[i - 1]["lead_id"] < all[i]["lead_id"]))
        << all[i - 1] << " before " << all[i];
  }

  // Pages of 7 cover every lead once, in the same order.
  std::vector<json> paged;
  std::string cursor;
  for (int page = 0; page < 20; ++page) {
    Reply r =
        Get("/v1/leads?limit=7" + (cursor.empty() ? "" : "&cursor=" + UrlEncode(cursor)), read_);
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_LE(r.doc["leads"].size(), 7u);
    EXPECT_FALSE(r.doc["leads"].empty()) << "page " << page;
    for (const auto& row : r.doc["leads"]) paged.push_back(row);
    if (r.doc["next_cursor"].is_null()) break;
    cursor = r.doc["next_cursor"];
  }
  ASSERT_EQ(paged.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(paged[i]["lead_id"], all[i]["lead_id"]) << i;
  // A page that holds the last lead says so: no cursor to an empty page.
  Reply whole = Get("/v1/leads?limit=" + std::to_string(all.size()), read_);
  EXPECT_EQ(whole.doc["leads"].size(), all.size()) << whole;
  EXPECT_TRUE(whole.doc["next_cursor"].is_null()) << whole;

  auto subset = [&](const std::function<bool(const json&)>& keep) {
    std::vector<std::string> ids;
    for (const auto& row : all) {
      if (keep(row)) ids.push_back(row["lead_id"]);
    }
    return ids;
  };
  auto ids = [](const std::vector<json>& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row["lead_id"]);
    return out;
  };
  auto mql = Listed("&stage=MQL");
  EXPECT_EQ(ids(mql), subset([](const json& r) { return r["stage"] == "MQL"; }));
  EXPECT_NE(std::find(ids(mql).begin(), ids(mql).end(), "hot"), ids(mql).end());
  EXPECT_EQ(ids(Listed("&min_score=30")),
            subset([](const json& r) { return r["score"].get<double>() >= 30; }));
  EXPECT_EQ(ids(Listed("&grade=A")), subset([](const json& r) { return r["grade"] == "A"; }));
  EXPECT_EQ(ids(Listed("&stage=MQL&min_score=99")),
            subset([](const json& r) { return r["stage"] == "MQL" && r["score"] >= 99; }));

  EXPECT_TRUE(IsProblem(Get("/v1/leads?limit=0", read_), 400, "limit"));
  EXPECT_TRUE(IsProblem(Get("/v1/leads?min_score=high", read_), 400, "min_score"));
  EXPECT_TRUE(IsProblem(Get("/v1/leads?min_score=nan", read_), 400, "min_score"));
  EXPECT_TRUE(IsProblem(Get("/v1/leads?max_score=inf", read_), 400, "max_score"));
  EXPECT_TRUE(IsProblem(Get("/v1/leads?limit=2.5", read_), 400, "limit"));
  EXPECT_TRUE(IsProblem(Get("/v1/leads?cursor=nonsense", read_), 400, "cursor"));
  for (const char* forged : {"NaN%7CL1", "inf%7CL1", "999%7C", "5x%7CL1", "%7CL1"}) {
    EXPECT_TRUE(IsProblem(Get(std::string("/v1/leads?cursor=") + forged, read_), 400, "cursor"))
        << forged;
  }
  // A stage or grade the model does not define is reported with the ones it does.
  Reply typo = Get("/v1/leads?stage=MLQ", read_);
  EXPECT_TRUE(IsProblem(typo, 400, "stage"));
  EXPECT_NE(typo.doc.value("detail", "").find("MQL"), std::string::npos) << typo;
  EXPECT_TRUE(IsProblem(Get("/v1/leads?grade=Z", read_), 400, "grade"));
  EXPECT_TRUE(IsProblem(Get("/v1/leads?model=nosuch", read_), 404, "model"));
  // A misspelt filter is refused, not ignored: the whole list would look like the answer.
  Reply misspelt = Get("/v1/leads?min_scor=99", read_);
  EXPECT_TRUE(IsProblem(misspelt, 400, "min_scor"));
  EXPECT_EQ(misspelt.doc.value("detail", ""),
            "unknown query parameter \"min_scor\"; did you mean \"min_score\"? (GET /v1/leads "
            "takes model, stage, grade, min_score, max_score, limit, attribute, cursor)");
  EXPECT_TRUE(IsProblem(Get("/v1/leads?as_of=2025-01-01", read_), 400, "as_of"));
  Reply none = Get("/v1/leads/hot/outcomes?limit=5", read_);
  EXPECT_TRUE(IsProblem(none, 400, "limit"));
  EXPECT_EQ(none.doc.value("detail", ""),
            "unknown query parameter \"limit\"; GET /v1/leads/{id}/outcomes takes none");
  EXPECT_EQ(Get("/v1/leads/hot?as_of=2025-05-01T00:00:00Z&model=", read_).status, 200);
  // A second filter of one kind would be ignored: refused instead.
  Reply twice = Get("/v1/leads?attribute=country:FR&attribute=industry:IT", read_);
  EXPECT_TRUE(IsProblem(twice, 400, "attribute"));
  EXPECT_EQ(twice.doc.value("detail", ""),
            "query parameter \"attribute\" given twice; GET /v1/leads reads one value of it");
}

TEST_P(ApiTest, ListFiltersByAttributeValue) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads",
                 R"([{"lead_id":"f1","industry":"IT","plan":"pro","trial":true},
                     {"lead_id":"f2","industry":"Retail","plan":"free","trial":false},
                     {"lead_id":"f3","industry":"IT","plan":"free"}])",
                 write_)
                .status,
            200);
  ASSERT_TRUE(Eventually([&] { return Listed().size() == 3; }, "3 leads stored"));
  auto ids = [&](const std::string& query) {
    std::vector<std::string> out;
    for (const auto& row : Listed(query)) out.push_back(row["lead_id"]);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(ids("&attribute=industry:IT"), (std::vector<std::string>{"f1", "f3"}));
  EXPECT_TRUE(ids("&attribute=industry:Farming").empty());
  EXPECT_TRUE(IsProblem(Get("/v1/leads?attribute=industry", read_), 400, "attribute"));
}

TEST_P(ApiTest, ListAttributeFilterMatchesBooleansOnEveryBackend) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(
      Post("/v1/leads", R"([{"lead_id":"t1","trial":true},{"lead_id":"t2","trial":false}])", write_)
          .status,
      200);
  ASSERT_TRUE(Eventually([&] { return Listed().size() == 2; }, "2 leads stored"));
  auto rows = Listed("&attribute=trial:true");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["lead_id"], "t1");
}

TEST_P(ApiTest, HistoryLogsTheTransitionIntoMqlWithTheEventThatCausedIt) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("hist"), write_).status, 200);
  const int64_t now = UnixNow();
  ASSERT_EQ(
      Post("/v1/events", Event("hist", "p1", "page_view", IsoTime(now - 7200)), write_).status,
      200);
  // 45 + 5: no stage yet.
  ASSERT_TRUE(Eventually([&] { return !Listed().empty(); }, "the first score stored"));
  EXPECT_TRUE(Transitions("hist").empty());
  ASSERT_EQ(
      Post("/v1/events", Event("hist", "q1", "quote_request", IsoTime(now - 3600)), write_).status,
      200);
  json log;
  ASSERT_TRUE(Eventually(
      [&] {
        log = Transitions("hist");
        return !log.empty();
      },
      "the transition into MQL"));
  ASSERT_EQ(log.size(), 1u) << log;
  EXPECT_EQ(log[0]["lead_id"], "hist");
  EXPECT_TRUE(log[0]["from_stage"].is_null()) << log;
  EXPECT_EQ(log[0]["to_stage"], "MQL");
  EXPECT_EQ(log[0]["cause"], "event:q1");
  EXPECT_EQ(log[0]["model"], "saas-pm");
  EXPECT_EQ(log[0]["model_version"], 1);
  EXPECT_GE(log[0]["score"].get<double>(), 65);
  ASSERT_FALSE(log[0]["reasons"].empty()) << log;
  EXPECT_EQ(log[0]["reasons"][0]["rule"], "quote") << log;

  Reply history = Get("/v1/leads/hist/history", read_);
  ASSERT_EQ(history.status, 200) << history;
  const json& scores = history.doc["scores"];
  ASSERT_EQ(scores.size(), 2u) << history;  // one point per event time
  EXPECT_EQ(scores[0]["at"], IsoTime(now - 7200));
  EXPECT_EQ(scores[1]["at"], IsoTime(now - 3600));
  EXPECT_LT(scores[0]["at"], scores[1]["at"]);
  EXPECT_DOUBLE_EQ(scores[0]["score"].get<double>(), 50);
  EXPECT_TRUE(scores[0]["stage"].is_null());
  EXPECT_EQ(scores[1]["stage"], "MQL");
  EXPECT_EQ(history.doc["transitions"].size(), 1u) << history;
  // As of a time before the quote: its score alone, and no stage change made after it.
  Reply before = Get("/v1/leads/hist/history?as_of=" + IsoTime(now - 5400), read_);
  ASSERT_EQ(before.status, 200) << before;
  EXPECT_EQ(before.doc["scores"].size(), 1u) << before;
  EXPECT_TRUE(before.doc["transitions"].empty()) << before;
  // Paged, each transition comes once: on the page of the time it was made.
  Reply latest = Get("/v1/leads/hist/history?limit=1", read_);
  ASSERT_EQ(latest.status, 200) << latest;
  EXPECT_EQ(latest.doc["scores"].size(), 1u) << latest;
  EXPECT_EQ(latest.doc["transitions"].size(), 1u) << latest;
  ASSERT_TRUE(latest.doc["next_cursor"].is_string()) << latest;
  Reply earlier =
      Get("/v1/leads/hist/history?limit=1&cursor=" + latest.doc["next_cursor"].get<std::string>(),
          read_);
  EXPECT_EQ(earlier.doc["scores"].size(), 1u) << earlier;
  EXPECT_TRUE(earlier.doc["transitions"].empty()) << earlier;
  EXPECT_TRUE(IsProblem(Get("/v1/leads/nobody/history", read_), 404));
}

// A long history comes a page at a time, the latest points first: each page's next_cursor
// asks for the points before it, and the pages together hold every point once.
TEST_P(ApiTest, AHistoryIsPagedBackInTime) {
  ASSERT_TRUE(StartServer());
  const int64_t start = UnixNow() - 100 * 3600;
  std::string body;
  for (int i = 0; i < 23; ++i) {
    body += fmt::format(R"({{"lead_id":"long","type":"page_view","ts":{},"event_id":"p{}"}})",
                        start + i * 3600, i) +
            "\n";
  }
  ASSERT_EQ(Post("/v1/events", body, write_).status, 200);
  Reply whole = Get("/v1/leads/long/history", read_);
  ASSERT_EQ(whole.status, 200) << whole;
  ASSERT_EQ(whole.doc["scores"].size(), 23u) << whole;
  EXPECT_TRUE(whole.doc["next_cursor"].is_null()) << whole;

  json paged = json::array();
  std::string path = "/v1/leads/long/history?limit=10";
  std::vector<size_t> sizes;
  for (int page = 0; page < 5; ++page) {
    Reply r = Get(path, read_);
    ASSERT_EQ(r.status, 200) << r;
    sizes.push_back(r.doc["scores"].size());
    paged.insert(paged.begin(), r.doc["scores"].begin(), r.doc["scores"].end());
    if (r.doc["next_cursor"].is_null()) break;
    path = "/v1/leads/long/history?limit=10&cursor=" + r.doc["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{10, 10, 3}));
  EXPECT_EQ(paged, whole.doc["scores"]);
  EXPECT_TRUE(IsProblem(Get("/v1/leads/long/history?limit=0", read_), 400, "limit"));
  EXPECT_TRUE(IsProblem(Get("/v1/leads/long/history?cursor=x", read_), 400, "cursor"));
}

TEST_P(ApiTest, TheTransitionCauseIsTheEventThatPushedTheLeadIntoMql) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("cause"), write_).status, 200);
  std::string at = IsoTime(UnixNow() - 60);
  Reply sent = Post("/v1/events",
                    "[" + Event("cause", "qq", "quote_request", at) + "," +
                        Event("cause", "pp", "page_view", at) + "]",
                    write_);
  ASSERT_EQ(sent.status, 200) << sent;
  json log = FirstTransitions("cause");
  ASSERT_FALSE(log.empty());
  // 45 + 5 (page_view) stays below 65; only the quote request makes the MQL.
  EXPECT_EQ(log[0]["cause"], "event:qq") << log;
}

// The same for a lead whose events the server keeps parsed (16 or more): rescoring it after a
// write parses only the new events, and its transition still names the event that caused it.
TEST_P(ApiTest, ABusyLeadsTransitionNamesTheEventThatPushedItIntoMql) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("busy"), write_).status, 200);
  std::string at = IsoTime(UnixNow() - 60);
  std::string body;
  for (int i = 0; i < 20; ++i) {
    body += fmt::format("{}\n", Event("busy", fmt::format("n{}", i), "newsletter", at));
  }
  ASSERT_EQ(Post("/v1/events", body, write_, "application/x-ndjson").status, 200);
  ASSERT_TRUE(Eventually([&] { return Metric("leadscore_event_cache_bytes") > 0; },
                         "the lead rescored with its 20 events, their parse kept"));
  Reply sent = Post("/v1/events",
                    "[" + Event("busy", "pp", "page_view", at) + "," +
                        Event("busy", "qq", "quote_request", at) + "]",
                    write_);
  ASSERT_EQ(sent.status, 200) << sent;
  json log = FirstTransitions("busy");
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log[0]["cause"], "event:qq") << log;
  EXPECT_EQ(log[0]["to_stage"], "MQL") << log;
  EXPECT_GE(Metric("leadscore_event_cache_extended_total"), 1);
}

// GET /v1/leads/{id}?next_steps=true: the single actions that reach the next stage, each with
// the score it gives, which the lead then has once the action is done.
TEST_P(ApiTest, NextStepsAreTheScoresTheLeadGetsOnceTheyAreDone) {
  ASSERT_TRUE(StartServer());
  const std::string t0 = "2025-06-01T00:00:00Z";
  // Fit 30 (sme, france; no industry) + a demo (20): 50, short of MQL's 65.
  auto make = [&](const std::string& id, const json& extra_event, const json& extra_attributes) {
    json lead = {{"lead_id", id}, {"company_size", 50}, {"country", "FR"}};
    lead.update(extra_attributes);
    ASSERT_EQ(Post("/v1/leads", lead.dump(), write_).status, 200);
    ASSERT_EQ(Post("/v1/events", Event(id, id + "-demo", "demo_booked", t0), write_).status, 200);
    if (!extra_event.is_null()) {
      ASSERT_EQ(Post("/v1/events", extra_event.dump(), write_).status, 200);
    }
  };
  make("steps", nullptr, json::object());
  Reply got = Get("/v1/leads/steps?as_of=" + t0 + "&next_steps=true", read_);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.doc["score"], 50) << got;
  EXPECT_EQ(got.doc["next_stage"], "MQL") << got;
  const json& steps = got.doc["next_steps"];
  ASSERT_TRUE(steps.is_array()) << got;
  std::map<std::string, double> claimed;
  for (const json& step : steps) {
    EXPECT_EQ(step["stage"], "MQL") << step;
    claimed[step.contains("event") ? step["event"].get<std::string>()
                                   : step["attribute"].get<std::string>()] = step["score"];
  }
  // 5 or 10 more points do not reach 65: no page_view or email_open step.
  EXPECT_EQ(claimed, (std::map<std::string, double>{
                         {"demo_booked", 70}, {"quote_request", 100}, {"industry", 65}}))
      << steps;
  int n = 0;
  for (const json& step : steps) {
    const std::string id = "done-" + std::to_string(n++);
    if (step.contains("event")) {
      json event = {{"lead_id", id}, {"type", step["event"]}, {"ts", t0}};
      event.update(step["properties"]);
      make(id, event, json::object());
    } else {
      make(id, nullptr, json{{step["attribute"].get<std::string>(), step["value"]}});
    }
    Reply done = Get("/v1/leads/" + id + "?as_of=" + t0, read_);
    EXPECT_EQ(done.doc["score"], step["score"]) << step << done;
    EXPECT_EQ(done.doc["stage"], "MQL") << step << done;
  }
  EXPECT_FALSE(Get("/v1/leads/steps", read_).doc.contains("next_steps"));
  EXPECT_EQ(Get("/v1/leads/steps?next_steps=yes", read_).status, 400);
  // At the last stage there is nothing above: no next_stage.
  Reply top = Get("/v1/leads/done-0?as_of=" + t0 + "&next_steps=true", read_);
  EXPECT_FALSE(top.doc.contains("next_stage")) << top;
}

TEST_P(ApiTest, TimeAloneMovesALeadOutOfItsStageOnceThroughTheSweep) {
  ASSERT_TRUE(StartServer("", /*sweep=*/"0.5s"));
  // The lead first, scored before its event arrives (so that the event is the transition's
  // cause: see TheTransitionCauseIsTheEventThatPushedTheLeadIntoMql).
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("cooling"), write_).status, 200);
  ASSERT_TRUE(Eventually([&] { return ById(Listed()).count("cooling"); }, "cooling stored"));
  // 45 + 50 * 2^(-age/30d) >= 65 while age <= 30d * log2(2.5): this quote request (ts in
  // Unix seconds with the fraction) keeps the lead an MQL for two more seconds.
  const double cools_after = 30 * 86400 * std::log2(2.5);
  const double quote_at =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() -
      cools_after + 2.0;
  json quote = {
      {"event_id", "cq"}, {"lead_id", "cooling"}, {"type", "quote_request"}, {"ts", quote_at}};
  ASSERT_EQ(Post("/v1/events", quote.dump(), write_).status, 200);
  Reply now = Get("/v1/leads/cooling", read_);
  ASSERT_EQ(now.doc["stage"], "MQL") << now;
  EXPECT_NEAR(ParseIso(now.doc["stage_change_at"]), quote_at + cools_after, 1.5) << now;

  json log;
  ASSERT_TRUE(Eventually(
      [&] {
        log = Transitions("cooling");
        return log.size() >= 2;
      },
      "the sweep moving the lead out of MQL"))
      << log;
  EXPECT_EQ(log[0]["to_stage"], "MQL");
  EXPECT_EQ(log[0]["cause"], "event:cq");
  EXPECT_EQ(log[1]["from_stage"], "MQL");
  EXPECT_TRUE(log[1]["to_stage"].is_null()) << log;
  EXPECT_EQ(log[1]["cause"], "time");
  EXPECT_GE(ParseIso(log[1]["at"]), quote_at + cools_after - 0.01);
  // Later sweeps find nothing new to log.
  auto passes = [&] { return Get("/v1/model", read_).doc["rescoring"]["passes"].get<int>(); };
  const int seen = passes();
  ASSERT_TRUE(Eventually([&] { return passes() >= seen + 2; }, "two more sweeps"));
  EXPECT_EQ(Transitions("cooling").size(), 2u) << Transitions("cooling");
}

TEST_P(ApiTest, ConcurrentWritersAreEachAnsweredWithTheirOwnCounts) {
  ASSERT_TRUE(StartServer());
  constexpr int kThreads = 4, kRequests = 15, kEvents = 25;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::string> problems;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = server_.Client();
      for (int r = 0; r < kRequests; ++r) {
        std::string body;
        for (int e = 0; e < kEvents; ++e) {
          std::string id = fmt::format("c{}-{}-{}", t, r, e);
          body +=
              Event(fmt::format("conc{}", e % 5), id, "page_view", "2025-05-01T00:00:00Z") + "\n";
        }
        Reply reply =
            ToReply(client->Post("/v1/events", Auth(write_), body, "application/x-ndjson"));
        if (reply.status != 200 || reply.doc["accepted"] != kEvents) {
          std::lock_guard lock(mu);
          problems.push_back(reply.body);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(problems.empty()) << problems.size() << " bad answers, e.g. " << problems[0];
  int64_t stored = 0;
  for (int lead = 0; lead < 5; ++lead) {
    stored += Get(fmt::format("/v1/leads/conc{}", lead), read_).doc["event_count"].get<int64_t>();
  }
  EXPECT_EQ(stored, kThreads * kRequests * kEvents);
  Reply metrics = Get("/metrics", read_);
  EXPECT_NE(metrics.body.find("\nleadscore_events_ingested_total " +
                              std::to_string(kThreads * kRequests * kEvents) + "\n"),
            std::string::npos)
      << metrics.body;
}

// ---- outcomes ------------------------------------------------------------------------------

TEST_P(ApiTest, RecordsOutcomesAndRejectsBadOnesNamingTheField) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("out"), write_).status, 200);
  Reply won = Post("/v1/outcomes",
                   R"({"lead_id":"out","outcome":"won","at":"2025-06-10T00:00:00Z","value":12000})",
                   write_);
  ASSERT_EQ(won.status, 201) << won;
  EXPECT_EQ(won.doc, json::parse(R"({"lead_id":"out","outcome":"won","at":"2025-06-10T00:00:00Z",
                                      "value":12000.0})"));
  Reply sql = Post("/v1/outcomes", R"({"lead_id":"out","outcome":"sql"})", write_);
  ASSERT_EQ(sql.status, 201) << sql;
  EXPECT_TRUE(sql.doc["value"].is_null());

  EXPECT_TRUE(IsProblem(Post("/v1/outcomes", R"({"lead_id":"out","outcome":"maybe"})", write_), 400,
                        "outcome"));
  EXPECT_TRUE(IsProblem(Post("/v1/outcomes", R"({"outcome":"won"})", write_), 400, "lead_id"));
  EXPECT_TRUE(
      IsProblem(Post("/v1/outcomes", R"({"lead_id":"out","outcome":"won","value":"lots"})", write_),
                400, "value"));
  EXPECT_TRUE(
      IsProblem(Post("/v1/outcomes", R"({"lead_id":"out","outcome":"won","value":-5})", write_),
                400, "value"));
  EXPECT_TRUE(
      IsProblem(Post("/v1/outcomes", R"({"lead_id":"out","outcome":"won","at":"someday"})", write_),
                400, "at"));
  EXPECT_TRUE(IsProblem(Post("/v1/outcomes", "[]", write_), 400));
  // Many at once, as an array: counted like events, bad ones listed.
  Reply many = Post("/v1/outcomes",
                    R"([{"lead_id":"bulk1","outcome":"opportunity","at":"2025-06-01"},
                        {"lead_id":"bulk1","outcome":"lost","at":1749000000,"value":0},
                        {"lead_id":"bulk2","outcome":"nope"}])",
                    write_);
  ASSERT_EQ(many.status, 200) << many;
  EXPECT_EQ(many.doc["accepted"], 2) << many;
  ASSERT_EQ(many.doc["errors"].size(), 1u) << many;
  EXPECT_EQ(many.doc["errors"][0]["index"], 2);
  EXPECT_EQ(many.doc["errors"][0]["field"], "outcome");
  Reply bulk = Get("/v1/leads/bulk1/outcomes", read_);
  ASSERT_EQ(bulk.status, 200) << bulk;
  ASSERT_EQ(bulk.doc["outcomes"].size(), 2u) << bulk;
  EXPECT_EQ(bulk.doc["outcomes"][1]["outcome"], "lost");
  EXPECT_TRUE(IsProblem(Post("/v1/outcomes", R"({"lead_id":"out","outcome":"won"})", read_), 403));

  Reply listed = Get("/v1/leads/out/outcomes", read_);
  ASSERT_EQ(listed.status, 200) << listed;
  const json& outcomes = listed.doc["outcomes"];
  ASSERT_EQ(outcomes.size(), 2u) << listed;
  EXPECT_EQ(outcomes[0]["outcome"], "won");
  EXPECT_EQ(outcomes[0]["at"], "2025-06-10T00:00:00Z");
  EXPECT_DOUBLE_EQ(outcomes[0]["value"].get<double>(), 12000);
  EXPECT_EQ(outcomes[1]["outcome"], "sql");
  EXPECT_TRUE(outcomes[1]["value"].is_null());
}

// ---- models --------------------------------------------------------------------------------

// One outcome object is answered 201 with the outcome even when it holds a number out of a
// double's range (null, as in an array of outcomes and in batch).
TEST_P(ApiTest, OneOutcomeWithANumberOutOfRangeIsAnsweredWithTheOutcome) {
  ASSERT_TRUE(StartServer());
  for (const char* body : {R"({"lead_id":"x","outcome":"won","value":1e999})",
                           R"({"lead_id":"x","outcome":"won","note":1e999,"value":5})"}) {
    Reply r = Post("/v1/outcomes", body, write_);
    ASSERT_EQ(r.status, 201) << body << ": " << r;
    EXPECT_EQ(r.doc["lead_id"], "x") << r;
    EXPECT_EQ(r.doc["outcome"], "won") << r;
    EXPECT_FALSE(r.doc.contains("accepted")) << r;
    // Warned of, as in an array's answer.
    ASSERT_EQ(r.doc["warnings"].size(), 1u) << r;
    EXPECT_EQ(r.doc["warnings"][0]["reason"], "the number 1e999 is out of range; using null") << r;
  }
  Reply stored = Get("/v1/leads/x/outcomes", read_);
  ASSERT_EQ(stored.doc["outcomes"].size(), 2u) << stored;
  EXPECT_TRUE(stored.doc["outcomes"][0]["value"].is_null()) << stored;
  EXPECT_EQ(stored.doc["outcomes"][1]["value"], 5) << stored;
  // An outcome's time out of range is no time: refused, not taken as now.
  for (const char* field : {"at", "ts"}) {
    const std::string body =
        std::string(R"({"lead_id":"x","outcome":"won",")") + field + R"(":-1e999})";
    Reply one = Post("/v1/outcomes", body, write_);
    ASSERT_TRUE(IsProblem(one, 400, field)) << one;
    EXPECT_EQ(one.doc["detail"], "the number -1e999 is out of range") << one;
    Reply many = Post("/v1/outcomes", "[" + body + "]", write_);
    ASSERT_EQ(many.status, 400) << many;
    EXPECT_EQ(many.doc["errors"][0]["field"], field) << many;
  }
  EXPECT_EQ(Get("/v1/leads/x/outcomes", read_).doc["outcomes"].size(), 2u);
}

// A Segment batch of no message is a 400, as an empty array of events or leads is.
TEST_P(ApiTest, AnEmptySegmentBatchIsRefusedAsAnEmptyArrayOfEventsIs) {
  ASSERT_TRUE(StartServer());
  EXPECT_TRUE(IsProblem(Post("/v1/events", "[]", write_), 400));
  EXPECT_TRUE(IsProblem(Post("/v1/batch", R"({"batch":[]})", write_), 400, "batch"));
}

// A bad ?role= is the query parameter's 400, naming it; 422 is for the YAML body.
TEST_P(ApiTest, ABadModelRoleIsA400NamingTheParameter) {
  ASSERT_TRUE(StartServer());
  EXPECT_TRUE(IsProblem(Put("/v1/model?role=bogus", ReadFile(kModelPath), admin_), 400, "role"));
  EXPECT_TRUE(IsProblem(Put("/v1/model", "version: 1\nname: x\nfit: [", admin_), 422, "model"));
  EXPECT_EQ(Get("/v1/model", read_).doc["primary"]["version"], 1);
}

// The answer to a model change shows the pass it asked for (caused by the model), not the
// finished counts of the pass before it; GET /v1/model then sees it end.
TEST_P(ApiTest, AModelChangeAnswersWithItsOwnRescoringPass) {
  ASSERT_TRUE(StartServer());
  auto rescoring = [&] { return Get("/v1/model", read_).doc["rescoring"]; };
  ASSERT_TRUE(Eventually([&] { return !rescoring()["running"].get<bool>(); }, "the start pass"));
  const int before = rescoring()["passes"];
  Reply put = Put("/v1/model", ModelVariant("other", 60), admin_);
  ASSERT_EQ(put.status, 200) << put;
  // Waiting, under way or (on a store this small) already done: the model's pass either way.
  EXPECT_EQ(put.doc["rescoring"]["cause"], "model") << put;
  ASSERT_TRUE(
      Eventually([&] { return rescoring()["passes"].get<int>() > before; }, "the model's pass"));
  EXPECT_EQ(rescoring()["cause"], "model");
}

TEST_P(ApiTest, ValidatesAModelWithFileLineMessagesWithoutActivatingIt) {
  ASSERT_TRUE(StartServer());
  Reply model = Get("/v1/model", read_);
  ASSERT_EQ(model.status, 200) << model;
  EXPECT_EQ(model.doc["primary"]["name"], "saas-pm");
  EXPECT_EQ(model.doc["primary"]["version"], 1);
  EXPECT_EQ(model.doc["primary"]["role"], "primary");
  EXPECT_EQ(model.doc["primary"]["yaml"], ReadFile(kModelPath));
  EXPECT_TRUE(model.doc["rescoring"].is_object()) << model;

  const std::string broken =
      "version: 1\n"
      "name: broken\n"
      "fit:\n"
      "  rules:\n"
      "    - id: x\n"
      "      when: company_size betwen 10 and 100\n"
      "      points: 20\n"
      "    - {id: y, when: \"nope(1)\", points: 2}\n";
  Reply invalid = Post("/v1/model/validate", broken, read_, "application/yaml");
  EXPECT_TRUE(IsProblem(invalid, 422)) << invalid;
  EXPECT_EQ(invalid.doc["valid"], false);
  const json& errors = invalid.doc["errors"];
  ASSERT_EQ(errors.size(), 2u) << invalid;
  std::regex located(R"(^[^:\s]+:(\d+):(\d+): .+)");
  std::smatch m;
  std::string first = errors[0], second = errors[1];
  ASSERT_TRUE(std::regex_match(first, m, located)) << first;
  EXPECT_EQ(m[1], "6") << first;
  ASSERT_TRUE(std::regex_match(second, m, located)) << second;
  EXPECT_EQ(m[1], "8") << second;

  Reply valid = Post("/v1/model/validate", ReadFile(kModelPath), read_, "application/yaml");
  EXPECT_EQ(valid.status, 200) << valid;
  EXPECT_EQ(valid.doc["valid"], true);
  EXPECT_TRUE(IsProblem(Put("/v1/model", broken, admin_), 422, "model"));
  // Neither validating nor a refused PUT made a version.
  Reply versions = Get("/v1/models/saas-pm", read_);
  ASSERT_EQ(versions.status, 200) << versions;
  EXPECT_EQ(versions.doc["versions"].size(), 1u) << versions;
  EXPECT_TRUE(IsProblem(Get("/v1/models/broken", read_), 404));
}

// A transition's cause is what changed: an attribute update is `attributes` though the lead has
// older events, and a model the lead was never scored under is `model` (both read as
// `event:<an old event>`, from a replay of the events with today's attributes).
TEST_P(ApiTest, ATransitionsCauseIsWhatChangedNotAnOldEvent) {
  ASSERT_TRUE(StartServer());
  const std::string lead = json{
      {"lead_id", "c1"},
      {"company_size", 500},
      {"industry", "Retail"},
      {"country", "DE"}}.dump();
  ASSERT_EQ(Post("/v1/leads", lead, write_).status, 200);
  json quote = {
      {"event_id", "q1"}, {"lead_id", "c1"}, {"type", "quote_request"}, {"ts", UnixNow() - 3600}};
  ASSERT_EQ(Post("/v1/events", quote.dump(), write_).status, 200);
  ASSERT_TRUE(Eventually([&] { return ById(Listed()).count("c1"); }, "c1 stored"));
  EXPECT_TRUE(Get("/v1/leads/c1", read_).doc["stage"].is_null());  // 50 < 65
  EXPECT_TRUE(Transitions("c1").empty());

  ASSERT_EQ(Post("/v1/leads", Fit45Lead("c1"), write_).status, 200);  // fit 0 -> 45
  json log = FirstTransitions("c1");
  ASSERT_EQ(log.size(), 1u) << log;
  EXPECT_EQ(log[0]["to_stage"], "MQL");
  EXPECT_EQ(log[0]["cause"], "attributes") << log;

  // Another model made primary: its first stage for c1 comes from the change.
  ASSERT_EQ(Put("/v1/model", ModelVariant("other", 60), admin_).status, 200);
  ASSERT_TRUE(Eventually(
      [&] {
        log = Transitions("c1");
        return std::any_of(log.begin(), log.end(),
                           [](const json& t) { return t["model"] == "other"; });
      },
      "c1 rescored under other"));
  for (const json& t : log) {
    if (t["model"] == "other") {
      EXPECT_EQ(t["cause"], "model") << log;
    }
  }
}

TEST_P(ApiTest, ActivatingAChangedModelMakesVersion2AndStagesFollow) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("m1"), write_).status, 200);
  ASSERT_TRUE(Eventually([&] { return ById(Listed()).count("m1"); }, "m1 stored"));
  Reply before = Get("/v1/leads/m1", read_);
  EXPECT_TRUE(before.doc["stage"].is_null()) << before;  // 45 < 65

  const std::string changed = ModelVariant("saas-pm", 40);
  EXPECT_TRUE(IsProblem(Put("/v1/model", changed, write_), 403));
  Reply put = Put("/v1/model", changed, admin_);
  ASSERT_EQ(put.status, 200) << put;
  EXPECT_EQ(put.doc["name"], "saas-pm");
  EXPECT_EQ(put.doc["version"], 2);
  EXPECT_EQ(put.doc["role"], "primary");

  Reply after = Get("/v1/leads/m1", read_);
  EXPECT_EQ(after.doc["stage"], "MQL") << after;
  EXPECT_EQ(after.doc["model_version"], 2) << after;
  ASSERT_TRUE(Eventually(
      [&] {
        auto rows = ById(Listed("&stage=MQL"));
        return rows.count("m1") && rows["m1"]["model_version"] == 2;
      },
      "m1 rescored into MQL"));
  json log = Transitions("m1");
  ASSERT_EQ(log.size(), 1u) << log;
  EXPECT_EQ(log[0]["to_stage"], "MQL");
  EXPECT_EQ(log[0]["cause"], "model");
  EXPECT_EQ(log[0]["model_version"], 2);

  Reply model = Get("/v1/model", read_);
  EXPECT_EQ(model.doc["primary"]["version"], 2) << model;
  EXPECT_EQ(model.doc["primary"]["yaml"], changed);

  // The same text again (a retried PUT): no version 3 (the list below holds two).
  Reply again = Put("/v1/model", changed, admin_);
  ASSERT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.doc["version"], 2) << again;
  Reply versions = Get("/v1/models/saas-pm", read_);
  ASSERT_EQ(versions.status, 200) << versions;
  ASSERT_EQ(versions.doc["versions"].size(), 2u) << versions;
  EXPECT_EQ(versions.doc["versions"][0]["version"], 1);
  EXPECT_EQ(versions.doc["versions"][0]["active"], false);
  EXPECT_EQ(versions.doc["versions"][1]["active"], true);
}

// A server started with a changed --model rescores every lead at start; a stage that the new
// version moves is caused by the model, not by the start (as if time alone had moved it).
TEST_P(ApiTest, AStageMovedByANewModelAtStartIsCausedByTheModel) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("r1"), write_).status, 200);
  ASSERT_TRUE(Eventually([&] { return ById(Listed()).count("r1"); }, "r1 stored"));
  EXPECT_TRUE(Get("/v1/leads/r1", read_).doc["stage"].is_null());  // 45 < 65
  ASSERT_TRUE(StopServer());
  model_path_ = dir_.Write("mql40.yaml", ModelVariant("saas-pm", 40));
  ASSERT_TRUE(StartServer());
  json log;
  ASSERT_TRUE(Eventually(
      [&] {
        log = Transitions("r1");
        return !log.empty();
      },
      "r1 moved into MQL by the new version"));
  ASSERT_EQ(log.size(), 1u) << log;
  EXPECT_EQ(log[0]["to_stage"], "MQL") << log;
  EXPECT_EQ(log[0]["cause"], "model") << log;
  EXPECT_EQ(log[0]["model_version"], 2) << log;
}

// Activations from several admin clients at once, while the start-up pass rescores: each is
// answered with its own version, the last committed is the active one, and the store opens
// again after the stop.
TEST_P(ApiTest, ConcurrentActivationsAreEachStoredAndTheLastCommittedIsActive) {
  TempDir data;
  auto gen = RunLeadscore(
      {"generate", "--out", data.path(), "--leads", "300", "--months", "1", "--seed", "3"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  auto ingested = RunLeadscore({"ingest", "--db", store_->target(), "--leads",
                                data.File("leads.csv"), "--events", data.File("events.jsonl")});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  ASSERT_TRUE(StartServer());
  constexpr int kThreads = 3, kPuts = 8;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::string> problems;
  std::set<int64_t> versions;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = server_.Client();
      for (int i = 0; i < kPuts; ++i) {
        // Each text its own: the active version's text again would make no version.
        const std::string yaml = ModelVariant("saas-pm", 30 + 5 * ((t + i) % 7)) + "# put " +
                                 std::to_string(t) + "." + std::to_string(i) + "\n";
        Reply r = ToReply(client->Put("/v1/model", Auth(admin_), yaml, "application/yaml"));
        std::lock_guard lock(mu);
        if (r.status != 200) {
          problems.push_back(r.body);
        } else {
          versions.insert(r.doc["version"].get<int64_t>());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(problems.empty()) << problems.size() << " bad answers, e.g. " << problems[0];
  // Version 1 is the model the server started with.
  EXPECT_EQ(versions.size(), size_t{kThreads * kPuts});
  EXPECT_EQ(*versions.begin(), 2);
  EXPECT_EQ(*versions.rbegin(), 1 + kThreads * kPuts);
  Reply model = Get("/v1/model", read_);
  ASSERT_EQ(model.status, 200) << model;
  EXPECT_EQ(model.doc["primary"]["version"], 1 + kThreads * kPuts) << model;
  ASSERT_TRUE(StopServer());
  // The model file differs from the last activated text: the restart stores one version more.
  ASSERT_TRUE(StartServer()) << "the store must open after concurrent activations";
  Reply listed = Get("/v1/models/saas-pm", read_);
  ASSERT_EQ(listed.status, 200) << listed;
  EXPECT_EQ(listed.doc["versions"].size(), size_t{2 + kThreads * kPuts}) << listed;
  EXPECT_EQ(
      Get("/v1/leads/" + CsvLeadsAsJson(data.Read("leads.csv"))[0]["lead_id"].get<std::string>(),
          read_)
          .status,
      200);
}

// A lead condition reads lead_id as batch reads it from a file: as it was sent (the number
// 1000, the text "2000", the CSV cell 007 as 7), null for a lead known only from events. The model
// change's pass, which reads the leads back from the store, scores each lead as the live read does.
TEST_P(ApiTest, ALeadConditionReadsTheIdAsItWasSent) {
  // A CSV cell reads as batch reads it: 007 is the number 7, the lead still "007".
  auto ingested = RunLeadscore(
      {"ingest", "--db", store_->target(), "--leads", dir_.Write("ids.csv", "lead_id,x\n007,1\n")});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  ASSERT_TRUE(StartServer());
  for (const char* lead : {R"({"lead_id":1000,"x":1})", R"({"lead_id":"2000"})",
                           R"({"lead_id":"abc","attributes":{"x":2}})"}) {
    ASSERT_EQ(Post("/v1/leads", lead, write_).status, 200) << lead;
  }
  ASSERT_EQ(
      Post("/v1/events", Event("ev", "ev1", "page_view", IsoTime(UnixNow() - 60)), write_).status,
      200);
  ASSERT_EQ(Post("/v1/outcomes", R"({"lead_id":"out","outcome":"sql"})", write_).status, 201);
  const std::string model =
      "version: 1\n"
      "name: ids\n"
      "fit:\n"
      "  rules:\n"
      "    - {id: over_500, when: lead_id > 500, points: 10}\n"
      "    - {id: no_id, when: not exists(lead_id), points: 5}\n"
      "    - {id: abc, when: lead_id == \"abc\", points: 1}\n"
      "    - {id: seven, when: lead_id == 7, points: 2}\n"
      "engagement:\n"
      "  rules:\n"
      "    - {id: pv, event: page_view, points: 1}\n";
  ASSERT_EQ(Put("/v1/model", model, admin_).status, 200);
  // "out", known from an outcome alone, has neither attributes nor events: it reads its id.
  const std::map<std::string, double> fit = {{"1000", 10}, {"2000", 0}, {"abc", 1},
                                             {"ev", 5},    {"out", 0},  {"007", 2}};
  for (const auto& [id, expected] : fit) {
    Reply live = Get("/v1/leads/" + id, read_);
    ASSERT_EQ(live.status, 200) << live;
    EXPECT_EQ(live.doc["fit"], expected) << id << ": " << live;
    EXPECT_FALSE(live.doc["attributes"].contains("lead_id")) << live;
  }
  EXPECT_EQ(Get("/v1/leads/abc", read_).doc["attributes"], json({{"x", 2}}));
  ASSERT_TRUE(Eventually(
      [&] {
        auto rows = ById(Listed());
        return rows.size() == fit.size() && std::all_of(rows.begin(), rows.end(), [](auto& r) {
                 return r.second["model"] == "ids";
               });
      },
      "every lead scored under the new model"));
  for (const auto& [id, row] : ById(Listed()))
    EXPECT_EQ(row["fit"], fit.at(id)) << id << ": " << row;
}

// A lead_id that is a whole number from 2^53 on is the lead as written, as in batch and for
// events and outcomes: 9007199254740993 is not 9007199254740992, whether sent in a body (an
// object, an array) or ingested from a file, and whether or not it fits 64 bits.
TEST_P(ApiTest, AWholeNumberLeadIdPast2To53IsTheLeadAsWritten) {
  const std::string lines =
      "{\"lead_id\":9007199254740995,\"country\":\"FR\"}\n"
      "{\"lead_id\":123456789012345678901234567891,\"country\":\"FR\"}\n";
  const std::string outcomes =
      "{\"lead_id\":123456789012345678901234567891,\"outcome\":\"won\",\"at\":\"2025-03-01\"}\n";
  auto ingested =
      RunLeadscore({"ingest", "--db", store_->target(), "--leads", dir_.Write("big.jsonl", lines),
                    "--outcomes", dir_.Write("big-outcomes.jsonl", outcomes)});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads",
                 R"({"lead_id":9007199254740993,"company_size":50,"industry":"IT","country":"FR"})",
                 write_)
                .status,
            200);
  Reply array = Post(
      "/v1/leads",
      R"([{"lead_id":123456789012345678901234567890,"country":"FR"},{"lead_id":18446744073709551615}])",
      write_);
  ASSERT_EQ(array.status, 200) << array;
  ASSERT_EQ(array.doc["accepted"], 2) << array;
  ASSERT_EQ(Post("/v1/events", Event("9007199254740993", "b1", "quote_request", IsoTime(UnixNow())),
                 write_)
                .status,
            200);
  for (const char* id : {"9007199254740993", "9007199254740995", "123456789012345678901234567890",
                         "123456789012345678901234567891", "18446744073709551615"}) {
    Reply lead = Get(std::string("/v1/leads/") + id, read_);
    ASSERT_EQ(lead.status, 200) << id << ": " << lead;
    EXPECT_EQ(lead.doc["lead_id"], id) << lead;
  }
  EXPECT_EQ(Get("/v1/leads/9007199254740992", read_).status, 404);
  EXPECT_EQ(Get("/v1/leads/1.2345678901234568e+29", read_).status, 404);
  Reply one = Post(
      "/v1/outcomes",
      R"({"lead_id":123456789012345678901234567890,"outcome":"sql","at":"2025-03-02"})", write_);
  ASSERT_EQ(one.status, 201) << one;
  EXPECT_EQ(one.doc["lead_id"], "123456789012345678901234567890") << one;
  Reply two =
      Post("/v1/outcomes",
           R"([{"lead_id":"x","outcome":"sql","at":"2025-03-02"},)"
           R"({"lead_id":123456789012345678901234567890,"outcome":"won","at":"2025-03-03"}])",
           write_);
  ASSERT_EQ(two.status, 200) << two;
  for (const auto& [id, count] : {std::pair{"123456789012345678901234567890", 2},
                                  std::pair{"123456789012345678901234567891", 1}}) {
    Reply listed = Get(std::string("/v1/leads/") + id + "/outcomes", read_);
    ASSERT_EQ(listed.status, 200) << listed;
    EXPECT_EQ(listed.doc["outcomes"].size(), count) << id << ": " << listed;
  }
  Reply both = Get("/v1/leads/9007199254740993", read_);
  EXPECT_EQ(both.doc["fit"], 45) << both;
  EXPECT_EQ(both.doc["event_count"], 1) << both;

  // The event view and the export show such a number as it was sent, not as the double a JSON
  // document would hold (1.2345678901234568e+29).
  ASSERT_EQ(Post("/v1/events",
                 R"({"lead_id":123456789012345678901234567890,"type":"demo",)"
                 R"("ts":"2025-03-01T00:00:00Z","n":98765432109876543210987})",
                 write_)
                .status,
            200);
  for (const std::string path : {"/events", "/export"}) {
    Reply view =
        Get("/v1/leads/123456789012345678901234567890" + path, path == "/events" ? read_ : admin_);
    ASSERT_EQ(view.status, 200) << view;
    EXPECT_NE(view.body.find(R"("event":{"lead_id":123456789012345678901234567890,"type":"demo",)"
                             R"("ts":"2025-03-01T00:00:00Z","n":98765432109876543210987})"),
              std::string::npos)
        << path << ": " << view.body;
  }
  // So does one holding a number out of range too, that number null.
  ASSERT_EQ(Post("/v1/events",
                 R"({"lead_id":123456789012345678901234567890,"type":"demo",)"
                 R"("ts":"2025-03-02T00:00:00Z","n":98765432109876543210988,"x":-1e999})",
                 write_)
                .status,
            200);
  Reply view = Get("/v1/leads/123456789012345678901234567890/events", read_);
  EXPECT_NE(view.body.find(R"("event":{"lead_id":123456789012345678901234567890,"type":"demo",)"
                           R"("ts":"2025-03-02T00:00:00Z","n":98765432109876543210988,"x":null})"),
            std::string::npos)
      << view.body;
}

TEST_P(ApiTest, AShadowModelIsScoredUnderScoresButNotAtTheTopLevel) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("s1"), write_).status, 200);
  Reply put = Put("/v1/model?role=shadow", ModelVariant("challenger", 40), admin_);
  ASSERT_EQ(put.status, 200) << put;
  EXPECT_EQ(put.doc["name"], "challenger");
  EXPECT_EQ(put.doc["role"], "shadow");
  EXPECT_EQ(put.doc["version"], 1);

  Reply lead = Get("/v1/leads/s1", read_);
  ASSERT_EQ(lead.status, 200) << lead;
  EXPECT_EQ(lead.doc["model"], "saas-pm") << lead;
  EXPECT_TRUE(lead.doc["stage"].is_null()) << lead;
  ASSERT_TRUE(lead.doc["scores"].contains("challenger")) << lead;
  EXPECT_EQ(lead.doc["scores"]["challenger"]["stage"], "MQL");
  EXPECT_EQ(lead.doc["scores"]["challenger"]["role"], "shadow");
  EXPECT_TRUE(lead.doc["scores"]["saas-pm"]["stage"].is_null());

  Reply picked = Get("/v1/leads/s1?model=challenger", read_);
  EXPECT_EQ(picked.doc["model"], "challenger") << picked;
  EXPECT_EQ(picked.doc["stage"], "MQL") << picked;
  EXPECT_TRUE(IsProblem(Get("/v1/leads/s1?model=nope", read_), 404, "model"));

  ASSERT_TRUE(Eventually([&] { return ById(Listed("&model=challenger&stage=MQL")).count("s1"); },
                         "s1 stored as MQL under the challenger"));
  EXPECT_FALSE(ById(Listed("&stage=MQL")).count("s1"));
  Reply model = Get("/v1/model", read_);
  EXPECT_EQ(model.doc["primary"]["name"], "saas-pm") << model;
  EXPECT_EQ(model.doc["models"].size(), 2u) << model;
  EXPECT_TRUE(IsProblem(Put("/v1/model?role=boss", ModelVariant("x", 40), admin_), 400, "role"));
}

// The primary keeps its role until another model is put as primary: its own text (or a new
// version of it) in another role is refused, naming `role`, rather than leaving no primary.
TEST_P(ApiTest, ThePrimaryIsNotDemotedLeavingNone) {
  ASSERT_TRUE(StartServer());
  const std::string primary = ReadFile(kModelPath);
  for (const std::string& yaml : {primary, ModelVariant("saas-pm", 40)}) {
    for (const char* role : {"shadow", "live"}) {
      Reply put = Put(std::string("/v1/model?role=") + role, yaml, admin_);
      EXPECT_TRUE(IsProblem(put, 409, "role")) << role << ": " << put;
      EXPECT_NE(put.body.find("stays primary until another model is put as primary"),
                std::string::npos)
          << put;
    }
  }
  Reply model = Get("/v1/model", read_);
  EXPECT_EQ(model.doc["primary"]["name"], "saas-pm") << model;
  EXPECT_EQ(model.doc["primary"]["version"], 1) << model;

  // Another primary first; then the old one may become a shadow.
  ASSERT_EQ(Put("/v1/model", ModelVariant("challenger", 40), admin_).status, 200);
  Reply demoted = Put("/v1/model?role=shadow", primary, admin_);
  ASSERT_EQ(demoted.status, 200) << demoted;
  model = Get("/v1/model", read_);
  EXPECT_EQ(model.doc["primary"]["name"], "challenger") << model;
  EXPECT_EQ(model.doc["models"][1]["role"], "shadow") << model;
}

// ---- delete and export ---------------------------------------------------------------------

TEST_P(ApiTest, ExportHoldsEverythingAndDeleteForgetsTheLead) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("gone"), write_).status, 200);
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("kept"), write_).status, 200);
  const int64_t now = UnixNow();
  std::string events = Event("gone", "g1", "page_view", IsoTime(now - 120)) + "\n" +
                       Event("gone", "g2", "quote_request", IsoTime(now - 60)) + "\n" +
                       Event("kept", "k1", "page_view", IsoTime(now - 60)) + "\n";
  ASSERT_EQ(Post("/v1/events", events, write_, "application/x-ndjson").status, 200);
  ASSERT_EQ(Post("/v1/outcomes", R"({"lead_id":"gone","outcome":"sql"})", write_).status, 201);
  ASSERT_TRUE(Eventually([&] { return !Transitions("gone").empty(); }, "gone becoming an MQL"));

  EXPECT_TRUE(IsProblem(Get("/v1/leads/gone/export", write_), 403));
  Reply exported = Get("/v1/leads/gone/export", admin_);
  ASSERT_EQ(exported.status, 200) << exported;
  const json& doc = exported.doc;
  EXPECT_EQ(doc["lead_id"], "gone");
  EXPECT_EQ(doc["attributes"],
            json::parse(R"({"company_size":50,"industry":"IT","country":"FR"})"));
  ASSERT_EQ(doc["events"].size(), 2u) << doc;
  EXPECT_EQ(doc["events"][1]["event"]["event_id"], "g2");
  ASSERT_EQ(doc["outcomes"].size(), 1u) << doc;
  EXPECT_EQ(doc["outcomes"][0]["outcome"], "sql");
  ASSERT_EQ(doc["transitions"].size(), 1u) << doc;
  EXPECT_EQ(doc["transitions"][0]["to_stage"], "MQL");
  EXPECT_EQ(doc["stage"], "MQL");

  EXPECT_TRUE(IsProblem(Delete("/v1/leads/gone", write_), 403));
  Reply deleted = Delete("/v1/leads/gone", admin_);
  EXPECT_EQ(deleted.status, 204) << deleted;
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_TRUE(IsProblem(Get("/v1/leads/gone", read_), 404));
  EXPECT_TRUE(IsProblem(Get("/v1/leads/gone/export", admin_), 404));
  EXPECT_TRUE(IsProblem(Get("/v1/leads/gone/history", read_), 404));
  // Its events and outcomes are gone with it: the lead is not found, as GET /v1/leads/{id}.
  EXPECT_TRUE(IsProblem(Get("/v1/leads/gone/events", read_), 404));
  EXPECT_TRUE(IsProblem(Get("/v1/leads/gone/outcomes", read_), 404));
  EXPECT_TRUE(IsProblem(Delete("/v1/leads/gone", admin_), 404));
  // The deleted lead left the list when the deletion was answered; the others are untouched.
  EXPECT_FALSE(ById(Listed()).count("gone"));
  EXPECT_EQ(Get("/v1/leads/kept/events", read_).doc["events"].size(), 1u);
  ASSERT_TRUE(Eventually(
      [&] {
        auto rows = ById(Listed());
        return rows.count("kept") && !rows.count("gone");
      },
      "the list without the deleted lead"));
  // Its event ids are free again: sending g1 anew stores it (not a duplicate).
  Reply resent = Post("/v1/events", Event("gone", "g1", "page_view", IsoTime(now - 120)), write_);
  EXPECT_EQ(resent.doc["accepted"], 1) << resent;
}

// The kernel's count of connections dropped because a listening socket's accept queue was full
// (all sockets of the machine), or -1 when /proc does not tell.
int64_t ListenOverflows() {
  std::ifstream in("/proc/net/netstat");
  std::string names, values;
  while (std::getline(in, names) && std::getline(in, values)) {
    if (names.rfind("TcpExt:", 0) != 0) continue;
    std::istringstream n(names), v(values);
    std::string name, value;
    while (n >> name && v >> value) {
      if (name == "ListenOverflows") return std::stoll(value);
    }
  }
  return -1;
}

TEST_P(ApiTest, ABurstOfConnectionsOverflowsNoAcceptQueue) {
  ASSERT_TRUE(StartServer());
  const int64_t before = ListenOverflows();
  if (before < 0) GTEST_SKIP() << "no TcpExt ListenOverflows in /proc/net/netstat";
  // 256 connects at once, as many clients starting together do: with a short accept queue
  // the kernel drops some, and each of those clients waits a second or more to retry.
  std::vector<int> sockets;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(server_.port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < 256; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    sockets.push_back(fd);
    connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the handshakes settle
  const int64_t after = ListenOverflows();
  for (int fd : sockets) close(fd);
  EXPECT_EQ(after - before, 0) << "connections dropped by a full accept queue";
  // The server still answers.
  EXPECT_EQ(Get("/health", "").status, 200);
}

TEST_P(ApiTest, TheStoredScoreFollowsAnAttributeChangeOfALeadScoredBefore) {
  ASSERT_TRUE(StartServer());
  const int64_t now = UnixNow();
  ASSERT_EQ(Post("/v1/leads", R"({"lead_id":"mover","industry":"Retail"})", write_).status, 200);
  ASSERT_EQ(Post("/v1/events", Event("mover", "m1", "page_view", IsoTime(now - 60)), write_).status,
            200);
  // The stored row equal to the live score (the rescorer now holds the lead's row and score).
  auto stored_is_live = [&] {
    auto rows = ById(Listed());
    if (!rows.count("mover")) return false;
    Reply live = Get("/v1/leads/mover", read_);
    return live.status == 200 && live.doc["score"] == rows["mover"]["score"] &&
           live.doc["fit"] == rows["mover"]["fit"];
  };
  ASSERT_TRUE(Eventually(stored_is_live, "the lead stored as scored live"));
  const double fit_before = ById(Listed())["mover"]["fit"];
  // Fit 45 now; then one more event, so that a rescoring from a stale row would be written.
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("mover"), write_).status, 200);
  ASSERT_EQ(Post("/v1/events", Event("mover", "m2", "page_view", IsoTime(now - 30)), write_).status,
            200);
  ASSERT_TRUE(Eventually([&] { return stored_is_live() && ById(Listed())["mover"]["fit"] == 45; },
                         "the stored score with the new attributes"))
      << "fit before " << fit_before << ", stored now " << ById(Listed())["mover"];
  EXPECT_LT(fit_before, 45);
}

TEST_P(ApiTest, ALeadDeletedWhileItsEventsAreRescoredKeepsNoStoredScore) {
  ASSERT_TRUE(StartServer());
  const int64_t now = UnixNow();
  // Each lead's events then its deletion at once, so that deletions land while the rescorer
  // scores the events: no score of a deleted lead may be written after its deletion.
  constexpr int kLeads = 30;
  for (int i = 0; i < kLeads; ++i) {
    const std::string id = "doomed-" + std::to_string(i);
    std::string events;
    for (int k = 0; k < 5; ++k) {
      events += Event(id, id + "-" + std::to_string(k), "page_view", IsoTime(now - 60 + k)) + "\n";
    }
    ASSERT_EQ(Post("/v1/events", events, write_, "application/x-ndjson").status, 200);
    ASSERT_EQ(Delete("/v1/leads/" + id, admin_).status, 204);
  }
  // A lead sent after them all, rescored last: once it is listed, the others were handled.
  ASSERT_EQ(Post("/v1/events", Event("survivor", "s1", "page_view", IsoTime(now)), write_).status,
            200);
  ASSERT_TRUE(Eventually([&] { return ById(Listed()).count("survivor") > 0; }, "survivor"));
  ASSERT_TRUE(Eventually([&] { return Metric("leadscore_rescore_pending_leads") == 0; },
                         "nothing left to rescore"));
  auto rows = ById(Listed());
  for (int i = 0; i < kLeads; ++i) {
    const std::string id = "doomed-" + std::to_string(i);
    EXPECT_FALSE(rows.count(id)) << id << " has a stored score after its deletion: " << rows[id];
    EXPECT_TRUE(IsProblem(Get("/v1/leads/" + id + "/export", admin_), 404)) << id;
  }
}

// ---- Segment -------------------------------------------------------------------------------

TEST_P(ApiTest, SegmentIdentifyTrackAndBatchFeedTheLead) {
  ASSERT_TRUE(StartServer());
  auto basic = Basic(write_);
  Reply identify = PostWith("/v1/identify", R"({"type":"identify","userId":"seg1",
      "traits":{"company_size":50,"industry":"IT","country":"FR"},
      "timestamp":"2025-06-01T00:00:00Z","messageId":"id-1"})",
                            basic);
  ASSERT_EQ(identify.status, 200) << identify;
  EXPECT_EQ(identify.doc["accepted"], 1) << identify;
  EXPECT_EQ(identify.doc["success"], true) << identify;

  const std::string track = R"({"type":"track","userId":"seg1","event":"download",
      "properties":{"asset":"White Paper"},"timestamp":"2025-06-01T00:00:00Z","messageId":"m1"})";
  Reply tracked = PostWith("/v1/track", track, basic);
  ASSERT_EQ(tracked.status, 200) << tracked;
  EXPECT_EQ(tracked.doc["accepted"], 1) << tracked;
  Reply again = PostWith("/v1/track", track, basic);
  ASSERT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.doc["accepted"], 0) << again;
  EXPECT_EQ(again.doc["duplicates"], 1) << again;

  Reply lead = Get("/v1/leads/seg1?as_of=2025-06-01T00:00:00Z", read_);
  ASSERT_EQ(lead.status, 200) << lead;
  EXPECT_EQ(lead.doc["attributes"],
            json::parse(R"({"company_size":50,"industry":"IT","country":"FR"})"));
  EXPECT_DOUBLE_EQ(lead.doc["fit"].get<double>(), 45);
  EXPECT_DOUBLE_EQ(lead.doc["engagement"].get<double>(), 5);  // white_paper
  EXPECT_DOUBLE_EQ(lead.doc["score"].get<double>(), 50);
  Reply events = Get("/v1/leads/seg1/events", read_);
  ASSERT_EQ(events.doc["events"].size(), 1u) << events;
  const json& event = events.doc["events"][0]["event"];
  EXPECT_EQ(event["type"], "download");
  EXPECT_EQ(event["event_id"], "m1");
  EXPECT_EQ(event["ts"], "2025-06-01T00:00:00Z");
  EXPECT_EQ(event["asset"], "White Paper");

  // An anonymous visitor is a lead too; a track without timestamp happens now.
  Reply anon = PostWith("/v1/track", R"({"anonymousId":"anon-7","event":"page_view"})", basic);
  EXPECT_EQ(anon.doc["accepted"], 1) << anon;
  EXPECT_EQ(Get("/v1/leads/anon-7", read_).doc["event_count"], 1);
  // Without `timestamp`, the client's `originalTimestamp` (RudderStack's SDKs send it) dates it.
  Reply original = PostWith(
      "/v1/track",
      R"({"userId":"rs1","event":"demo_booked","originalTimestamp":"2025-01-02T03:04:05Z",)"
      R"("sentAt":"2025-01-03T00:00:00Z"})",
      basic);
  ASSERT_EQ(original.doc["accepted"], 1) << original;
  Reply rs1 = Get("/v1/leads/rs1/events", read_);
  ASSERT_EQ(rs1.doc["events"].size(), 1u) << rs1;
  EXPECT_EQ(rs1.doc["events"][0]["event"]["ts"], "2025-01-02T03:04:05Z") << rs1;

  Reply batch = PostWith("/v1/batch", R"({"batch":[
      {"type":"identify","userId":"seg2","traits":{"industry":"SaaS"}},
      {"type":"track","userId":"seg2","event":"quote_request",
       "timestamp":"2025-06-01T00:00:00Z","messageId":"m2"},
      {"type":"page","userId":"seg2","name":"Home"},
      {"type":"track","event":"page_view","messageId":"m3"}]})",
                         basic);
  ASSERT_EQ(batch.status, 200) << batch;
  EXPECT_EQ(batch.doc["received"], 4) << batch;
  EXPECT_EQ(batch.doc["accepted"], 2) << batch;
  EXPECT_EQ(batch.doc["rejected"], 2) << batch;
  EXPECT_EQ(batch.doc["success"], false) << batch;
  std::map<int, std::string> fields;
  for (const auto& e : batch.doc["errors"]) fields[e["index"]] = e.value("field", "");
  EXPECT_EQ(fields, (std::map<int, std::string>{{2, "type"}, {3, "userId"}})) << batch;
  Reply seg2 = Get("/v1/leads/seg2?as_of=2025-06-01T00:00:00Z", read_);
  ASSERT_EQ(seg2.status, 200) << seg2;
  EXPECT_DOUBLE_EQ(seg2.doc["score"].get<double>(), 65);  // it_sector 15 + quote 50
  EXPECT_EQ(seg2.doc["stage"], "MQL");

  EXPECT_TRUE(IsProblem(PostWith("/v1/batch", R"({"messages":[]})", basic), 400, "batch"));
  EXPECT_TRUE(IsProblem(PostWith("/v1/track", "[1]", basic), 400));

  // A number out of a double's range reads as null, as in a batch file: the message is taken.
  Reply huge =
      PostWith("/v1/identify",
               R"({"userId":"seg3","traits":{"company_size":1e999,"industry":"IT"}})", basic);
  EXPECT_EQ(huge.doc["accepted"], 1) << huge;
  EXPECT_EQ(Get("/v1/leads/seg3", read_).doc["attributes"],
            json::parse(R"({"company_size":null,"industry":"IT"})"));
  // Taken with a warning naming it by its path in the message, as /v1/leads warns.
  EXPECT_EQ(huge.doc["warnings"], json::parse(R"([{"index":0,"field":"traits.company_size",
                                  "reason":"the number 1e999 is out of range; using null"}])"))
      << huge;
  // In a batch, each message has its own numbers; an id, a time or an event name out of range
  // is none, and refuses its message saying why.
  Reply numbers = PostWith("/v1/batch", R"({"batch":[
      {"type":"track","userId":"seg3","event":"page_view","timestamp":"2025-05-01T00:00:00Z",
       "properties":{"price":-1e400}},
      {"type":"identify","userId":1e999,"traits":{}},
      {"type":"track","userId":"seg3","event":"page_view","timestamp":1e999},
      {"type":"track","anonymousId":-1e999,"event":"page_view"},
      {"type":"track","userId":"seg3","event":1e999},
      {"type":"identify","userId":"seg3b","traits":{"a":{"b":1e999}}}]})",
                           basic);
  ASSERT_EQ(numbers.status, 200) << numbers;
  EXPECT_EQ(numbers.doc["accepted"], 2) << numbers;
  EXPECT_EQ(numbers.doc["warnings"], json::parse(R"([
      {"index":0,"field":"properties.price","reason":"the number -1e400 is out of range; using null"},
      {"index":5,"field":"traits.a.b","reason":"the number 1e999 is out of range; using null"}])"))
      << numbers;
  EXPECT_EQ(numbers.doc["errors"], json::parse(R"([
      {"index":1,"field":"userId","reason":"the number 1e999 is out of range"},
      {"index":2,"field":"timestamp","reason":"the number 1e999 is out of range"},
      {"index":3,"field":"anonymousId","reason":"the number -1e999 is out of range"},
      {"index":4,"field":"event","reason":"the number 1e999 is out of range"}])"))
      << numbers;

  // A message nested deeper than a record may be is rejected alone, by its index, and named so;
  // the batch's own two levels do not count against its messages.
  auto nested = [](int levels) {
    std::string inner = "1";
    for (int i = 1; i < levels; ++i) inner = R"({"a":)" + inner + "}";
    return inner;
  };
  const std::string deep_identify =
      R"({"type":"identify","userId":"seg4","traits":{"x":)" + nested(128) + "}}";
  const std::string fine_identify =
      R"({"type":"identify","userId":"seg5","traits":{"x":)" + nested(126) + "}}";
  Reply deep = PostWith("/v1/batch",
                        R"({"context":{"library":{"name":"x"}},"batch":[)" + deep_identify + "," +
                            fine_identify + "]}",
                        basic);
  ASSERT_EQ(deep.status, 200) << deep;
  EXPECT_EQ(deep.doc["accepted"], 1) << deep;
  ASSERT_EQ(deep.doc["errors"].size(), 1u) << deep;
  EXPECT_EQ(deep.doc["errors"][0]["index"], 0) << deep;
  EXPECT_EQ(deep.doc["errors"][0]["reason"], "invalid JSON: nested deeper than 128 levels");
  EXPECT_EQ(Get("/v1/leads/seg5", read_).status, 200);
  EXPECT_EQ(Get("/v1/leads/seg4", read_).status, 404);
  Reply deep_one = PostWith("/v1/identify", deep_identify, basic);
  EXPECT_TRUE(IsProblem(deep_one, 400)) << deep_one;
  EXPECT_NE(deep_one.doc.value("detail", "").find("nested deeper than 128 levels"),
            std::string::npos)
      << deep_one;

  // An id too long to store is named by the key it came under.
  Reply long_anonymous = PostWith(
      "/v1/track", R"({"anonymousId":")" + std::string(20000, 'a') + R"(","event":"page_view"})",
      basic);
  ASSERT_EQ(long_anonymous.doc["errors"].size(), 1u) << long_anonymous;
  EXPECT_EQ(long_anonymous.doc["errors"][0]["field"], "anonymousId") << long_anonymous;

  // A field of a track is named by the key the message gave it under, and traits or properties
  // that are no object are refused rather than dropped unseen.
  const std::vector<std::pair<std::string, std::string>> refused = {
      {R"({"userId":"seg6","event":"page_view","messageId":"a\u0000"})", "messageId"},
      {R"({"userId":"seg6","event":"page_view","timestamp":"soon"})", "timestamp"},
      {R"({"userId":"seg6","event":"page_view","originalTimestamp":"soon"})", "originalTimestamp"},
      {R"({"userId":"seg6","event":"","timestamp":"2025-05-01T00:00:00Z"})", "event"},
      {R"({"userId":"seg6","event":"page_view","properties":5})", "properties"}};
  for (const auto& [body, field] : refused) {
    Reply r = PostWith("/v1/track", body, basic);
    ASSERT_EQ(r.doc["errors"].size(), 1u) << body << ": " << r;
    EXPECT_EQ(r.doc["errors"][0]["field"], field) << body << ": " << r;
  }
  Reply bad_traits = PostWith("/v1/identify", R"({"userId":"seg6","traits":"x"})", basic);
  ASSERT_EQ(bad_traits.doc["errors"].size(), 1u) << bad_traits;
  EXPECT_EQ(bad_traits.doc["errors"][0]["reason"], "traits must be an object, not \"x\"")
      << bad_traits;
  EXPECT_EQ(Get("/v1/leads/seg6", read_).status, 404);
}

// Batch keeps a JSON Lines record holding 1e999 (the field null); the API takes it alike, and
// shows the number as null. A body starting with a byte-order mark is read as a file is.
TEST_P(ApiTest, ANumberOutOfRangeIsNullNotARejectedRecord) {
  ASSERT_TRUE(StartServer());
  Reply lead =
      Post("/v1/leads", R"({"lead_id":"big","company_size":-1e400,"country":"FR"})", write_);
  ASSERT_EQ(lead.status, 200) << lead;
  EXPECT_EQ(lead.doc["accepted"], 1) << lead;
  // Taken with a warning in batch's words, as `score` and `ingest` report the line.
  EXPECT_EQ(lead.doc["warnings"], json::parse(R"([{"index":0,"field":"company_size",
                                  "reason":"the number -1e400 is out of range; using null"}])"))
      << lead;
  // A lead_id out of range is no lead_id: the record is refused saying why, as batch skips
  // the row; each record of an array or of NDJSON has its own numbers, nested ones by path.
  for (const std::string& body :
       {std::string(
            R"([{"lead_id":"n1","utm":{"size":1e999}},{"lead_id":1e999},{"lead_id":"n2"}])"),
        std::string("{\"lead_id\":\"n1\",\"utm\":{\"size\":1e999}}\n{\"lead_id\":1e999}\n"
                    "{\"lead_id\":\"n2\"}\n")}) {
    Reply some = Post("/v1/leads", body, write_);
    ASSERT_EQ(some.status, 200) << some;
    EXPECT_EQ(some.doc["accepted"], 2) << some;
    EXPECT_EQ(some.doc["errors"], json::parse(R"([{"index":1,"field":"lead_id",
                                  "reason":"the number 1e999 is out of range"}])"))
        << some;
    EXPECT_EQ(some.doc["warnings"], json::parse(R"([{"index":0,"field":"utm.size",
                                    "reason":"the number 1e999 is out of range; using null"}])"))
        << some;
  }
  Reply outcome = Post("/v1/outcomes", R"({"lead_id":-1e999,"outcome":"won"})", write_);
  ASSERT_TRUE(IsProblem(outcome, 400)) << outcome;
  EXPECT_EQ(outcome.doc["detail"], "the number -1e999 is out of range") << outcome;
  Reply event =
      Post("/v1/events", R"({"lead_id":"big","type":"page_view","ts":"2025-05-01","amount":1e999})",
           write_);
  ASSERT_EQ(event.status, 200) << event;
  EXPECT_EQ(event.doc["accepted"], 1) << event;
  Reply got = Get("/v1/leads/big?as_of=2025-05-01T00:00:00Z", read_);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.doc["attributes"], json::parse(R"({"company_size":null,"country":"FR"})"));
  EXPECT_DOUBLE_EQ(got.doc["fit"].get<double>(), 10);  // france; no size rule
  Reply events = Get("/v1/leads/big/events", read_);
  ASSERT_EQ(events.doc["events"].size(), 1u) << events;
  EXPECT_TRUE(events.doc["events"][0]["event"]["amount"].is_null()) << events;
  // A body may start with a byte-order mark, as a file may; leads and events alike.
  const std::string bom = "\xEF\xBB\xBF";
  Reply marked =
      Post("/v1/events", bom + R"({"lead_id":"big","type":"demo","ts":"2025-05-01"})", write_);
  EXPECT_EQ(marked.doc["accepted"], 1) << marked;
  marked = Post("/v1/leads", bom + R"({"lead_id":"big2"})", write_);
  EXPECT_EQ(marked.doc["accepted"], 1) << marked;
}

// ---- operations ----------------------------------------------------------------------------

TEST_P(ApiTest, MetricsCountRequestsAndIngestedEvents) {
  ASSERT_TRUE(StartServer());
  std::string events = Event("met", "x1", "page_view", "2025-05-01T00:00:00Z") + "\n" +
                       Event("met", "x2", "page_view", "2025-05-01T00:00:00Z") + "\n" +
                       Event("met", "x1", "page_view", "2025-05-01T00:00:00Z") + "\n";
  ASSERT_EQ(Post("/v1/events", events, write_, "application/x-ndjson").status, 200);
  ASSERT_EQ(Get("/v1/leads", "").status, 401);
  Reply metrics = Get("/metrics", read_);
  ASSERT_EQ(metrics.status, 200) << metrics;
  EXPECT_EQ(metrics.content_type.rfind("text/plain", 0), 0u) << metrics.content_type;
  const std::string& text = metrics.body;
  EXPECT_NE(text.find("# TYPE leadscore_http_requests_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(leadscore_http_requests_total{route="POST /v1/events",status="200"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(leadscore_http_requests_total{route="GET /v1/leads",status="401"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nleadscore_events_ingested_total 2\n"), std::string::npos) << text;
  EXPECT_TRUE(IsProblem(Get("/metrics", ""), 401));
}

TEST_P(ApiTest, OpenApiDocumentListsEveryRoute) {
  ASSERT_TRUE(StartServer());
  Reply r = Get("/v1/openapi.json", read_);
  ASSERT_EQ(r.status, 200) << r;
  ASSERT_TRUE(r.doc.is_object()) << "not JSON: " << r;
  ASSERT_TRUE(r.doc.contains("openapi")) << r;
  const json& paths = r.doc["paths"];
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"/health", "get"},
      {"/metrics", "get"},
      {"/v1/openapi.json", "get"},
      {"/v1/leads", "post"},
      {"/v1/leads", "get"},
      {"/v1/leads/{id}", "get"},
      {"/v1/leads/{id}", "delete"},
      {"/v1/leads/{id}/history", "get"},
      {"/v1/leads/{id}/events", "get"},
      {"/v1/leads/{id}/outcomes", "get"},
      {"/v1/leads/{id}/export", "get"},
      {"/v1/events", "post"},
      {"/v1/outcomes", "post"},
      {"/v1/model", "get"},
      {"/v1/model", "put"},
      {"/v1/model/validate", "post"},
      {"/v1/models/{name}", "get"},
      {"/v1/deliveries", "get"},
      {"/v1/identify", "post"},
      {"/v1/track", "post"},
      {"/v1/batch", "post"},
  };
  for (const auto& [path, method] : routes) {
    EXPECT_TRUE(paths.contains(path) && paths[path].contains(method)) << method << " " << path;
  }
  // Every query parameter the document lists is one its route reads (any other is a 400).
  int checked = 0;
  for (const auto& [path, methods] : paths.items()) {
    for (const auto& [method, operation] : methods.items()) {
      for (const json& parameter : operation.value("parameters", json::array())) {
        if (parameter.value("in", "") != "query") continue;
        std::string target = path;
        for (const char* name : {"{id}", "{name}"}) {
          if (auto at = target.find(name); at != std::string::npos)
            target.replace(at, strlen(name), "x");
        }
        target += "?" + parameter.value("name", "") + "=1";
        Reply reply = method == "put" ? Put(target, "version: 1\n", admin_) : Get(target, admin_);
        EXPECT_EQ(reply.doc.value("detail", "").find("unknown query parameter"), std::string::npos)
            << method << " " << target << ": " << reply;
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 14);
}

TEST_P(ApiTest, SigtermStopsCleanlyAndTheDataIsThereAfterARestart) {
  ASSERT_TRUE(StartServer());
  ASSERT_EQ(Post("/v1/leads", kHandLead, write_).status, 200);
  ASSERT_EQ(Post("/v1/events", kHandEvents, write_, "application/x-ndjson").status, 200);
  ASSERT_EQ(Post("/v1/outcomes", R"({"lead_id":"hand","outcome":"sql"})", write_).status, 201);
  Reply before = Get(std::string("/v1/leads/hand?as_of=") + kHandT, read_);
  ASSERT_EQ(before.status, 200) << before;
  ASSERT_TRUE(StopServer());
  EXPECT_NE(server_.log().find("SIGTERM received"), std::string::npos) << server_.log();
  EXPECT_EQ(Get("/health", "").status, 0) << "nothing listens any more";

  ASSERT_TRUE(StartServer());  // same store, same model file: no new version
  Reply after = Get(std::string("/v1/leads/hand?as_of=") + kHandT, read_);
  ASSERT_EQ(after.status, 200) << after;
  for (const char* key : {"score", "fit", "engagement", "grade", "stage", "reasons", "attributes",
                          "event_count", "model_version", "created_at"}) {
    EXPECT_EQ(after.doc[key], before.doc[key]) << key;
  }
  EXPECT_EQ(Get("/v1/leads/hand/outcomes", read_).doc["outcomes"].size(), 1u);
  EXPECT_EQ(Get("/v1/model", read_).doc["primary"]["version"], 1);
  // Duplicates are still recognised after the restart.
  Reply resent = Post("/v1/events", kHandEvents, write_, "application/x-ndjson");
  EXPECT_EQ(resent.doc["duplicates"], 7) << resent;
}

// ---- webhooks ------------------------------------------------------------------------------

std::string WebhookConfig(const std::string& url, int max_attempts) {
  return "webhooks:\n"
         "  - name: crm\n"
         "    url: " +
         url +
         "\n"
         "    secret: s3cret\n"
         "    stages: [MQL]\n"
         "    on: [enter]\n"
         "    max_attempts: " +
         std::to_string(max_attempts) +
         "\n"
         "    retry_base: 0.05s\n"
         "    retry_max: 1s\n"
         "    timeout: 2s\n";
}

TEST_P(ApiTest, WebhookIsRetriedUntilDeliveredOnceSignedWithOneIdempotencyKey) {
  Receiver receiver(/*fail_first=*/2);
  ASSERT_TRUE(StartServer(dir_.Write("serve.yaml", WebhookConfig(receiver.url(), 5))));
  // A shadow model whose MQL this lead reaches fires nothing.
  ASSERT_EQ(Put("/v1/model?role=shadow", ModelVariant("challenger", 40), admin_).status, 200);
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("shadowed"), write_).status, 200);
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("hooked"), write_).status, 200);
  // Scored before its event arrives, so that the event is the transition's cause.
  ASSERT_TRUE(Eventually([&] { return ById(Listed()).count("hooked"); }, "hooked stored"));
  ASSERT_EQ(
      Post("/v1/events", Event("hooked", "hq", "quote_request", IsoTime(UnixNow() - 60)), write_)
          .status,
      200);
  ASSERT_TRUE(Eventually([&] { return receiver.successes() > 0; }, "a delivery answered 200"));
  ASSERT_TRUE(Eventually(
      [&] {
        for (const auto& t : Transitions("shadowed")) {
          if (t["model"] == "challenger") return true;
        }
        return false;
      },
      "the shadow model's transition"));

  // The receiver answers before the worker records the delivery: wait for the record.
  Reply delivered;
  ASSERT_TRUE(Eventually(
      [&] {
        delivered = Get("/v1/deliveries?status=delivered", read_);
        return delivered.status == 200 && !delivered.doc["deliveries"].empty();
      },
      "the delivery recorded"));
  ASSERT_EQ(delivered.doc["deliveries"].size(), 1u) << delivered;
  const json& row = delivered.doc["deliveries"][0];
  EXPECT_EQ(row["lead_id"], "hooked");
  EXPECT_EQ(row["webhook"], "crm");
  EXPECT_EQ(row["status"], "delivered");
  EXPECT_EQ(row["attempts"], 3);
  EXPECT_FALSE(row["delivered_at"].is_null());
  // The primary model's transition; the challenger's (hooked is its MQL too) fires nothing.
  json log = json::array();
  for (const auto& t : Transitions("hooked")) {
    if (t["model"] == "saas-pm") log.push_back(t);
  }
  ASSERT_EQ(log.size(), 1u) << Transitions("hooked");
  EXPECT_EQ(row["idempotency_key"], std::to_string(log[0]["id"].get<int64_t>()) + ":crm:enter");

  // Stopped, the server sends nothing more: what the receiver saw is final.
  ASSERT_TRUE(StopServer());
  auto hits = receiver.hits();
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(receiver.successes(), 1u);
  for (size_t i = 0; i < hits.size(); ++i) {
    SCOPED_TRACE("attempt " + std::to_string(i + 1));
    EXPECT_EQ(hits[i].attempt, std::to_string(i + 1));
    EXPECT_EQ(hits[i].idempotency_key, row["idempotency_key"]);
    EXPECT_EQ(hits[i].body, hits[0].body);
    EXPECT_TRUE(
        actions::VerifySignature("s3cret", hits[i].signature, hits[i].body, hits[i].received_at))
        << hits[i].signature;
    EXPECT_FALSE(
        actions::VerifySignature("wrong", hits[i].signature, hits[i].body, hits[i].received_at));
  }
  json payload = json::parse(hits[0].body);
  EXPECT_EQ(payload["type"], "lead.stage_entered");
  EXPECT_EQ(payload["lead_id"], "hooked");
  EXPECT_EQ(payload["model"], "saas-pm");
  EXPECT_EQ(payload["to_stage"], "MQL");
  EXPECT_TRUE(payload["from_stage"].is_null());
  EXPECT_EQ(payload["cause"], "event:hq");
  EXPECT_EQ(payload["transition_id"], log[0]["id"]);
}

// Every delivery can be listed: pages of `limit`, newest first, `next_cursor` to the next (a
// list cut at 500 rows hid the older ones).
TEST_P(ApiTest, DeliveriesAreListedPageByPage) {
  Receiver receiver(/*fail_first=*/-1);
  ASSERT_TRUE(StartServer(dir_.Write("serve.yaml", WebhookConfig(receiver.url(), 1))));
  for (const char* lead : {"p1", "p2", "p3"}) {
    ASSERT_EQ(Post("/v1/leads", Fit45Lead(lead), write_).status, 200);
    ASSERT_EQ(
        Post("/v1/events",
             Event(lead, std::string(lead) + "q", "quote_request", IsoTime(UnixNow() - 60)), write_)
            .status,
        200);
  }
  ASSERT_TRUE(Eventually([&] { return Get("/v1/deliveries", read_).doc["deliveries"].size() == 3; },
                         "three deliveries given up"));
  Reply first = Get("/v1/deliveries?status=failed&limit=2", read_);
  ASSERT_EQ(first.status, 200) << first;
  ASSERT_EQ(first.doc["deliveries"].size(), 2u) << first;
  ASSERT_TRUE(first.doc["next_cursor"].is_string()) << first;
  EXPECT_GT(first.doc["deliveries"][0]["id"], first.doc["deliveries"][1]["id"]);
  Reply second = Get(
      "/v1/deliveries?status=failed&limit=2&cursor=" + first.doc["next_cursor"].get<std::string>(),
      read_);
  ASSERT_EQ(second.doc["deliveries"].size(), 1u) << second;
  EXPECT_TRUE(second.doc["next_cursor"].is_null()) << second;
  EXPECT_LT(second.doc["deliveries"][0]["id"], first.doc["deliveries"][1]["id"]);
  EXPECT_TRUE(IsProblem(Get("/v1/deliveries?limit=0", read_), 400, "limit"));
  EXPECT_TRUE(IsProblem(Get("/v1/deliveries?cursor=x", read_), 400, "cursor"));
}

TEST_P(ApiTest, WebhookThatAlwaysFailsIsListedAsFailedAfterTheLastAttempt) {
  Receiver receiver(/*fail_first=*/-1);
  ASSERT_TRUE(StartServer(dir_.Write("serve.yaml", WebhookConfig(receiver.url(), 3))));
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("doomed"), write_).status, 200);
  ASSERT_EQ(
      Post("/v1/events", Event("doomed", "dq", "quote_request", IsoTime(UnixNow() - 60)), write_)
          .status,
      200);
  json failed;
  ASSERT_TRUE(Eventually(
      [&] {
        failed = Get("/v1/deliveries?status=failed", read_).doc["deliveries"];
        return failed.is_array() && !failed.empty();
      },
      "the delivery given up"));
  ASSERT_EQ(failed.size(), 1u) << failed;
  EXPECT_EQ(failed[0]["lead_id"], "doomed");
  EXPECT_EQ(failed[0]["status"], "failed");
  EXPECT_EQ(failed[0]["attempts"], 3);
  EXPECT_NE(failed[0]["last_error"].get<std::string>().find("500"), std::string::npos) << failed[0];
  EXPECT_TRUE(Get("/v1/deliveries?status=pending", read_).doc["deliveries"].empty());
  Reply metrics = Get("/metrics", read_);
  EXPECT_NE(metrics.body.find("\nleadscore_webhook_gave_up_total 1\n"), std::string::npos)
      << metrics.body;
  EXPECT_TRUE(IsProblem(Get("/v1/deliveries?status=lost", read_), 400, "status"));
  ASSERT_TRUE(StopServer());
  EXPECT_EQ(receiver.hits().size(), 3u);
}

TEST_P(ApiTest, AWebhookOfThePrimaryModelIgnoresALiveModelsTransitions) {
  Receiver receiver(/*fail_first=*/0);
  ASSERT_TRUE(StartServer(dir_.Write("serve.yaml", WebhookConfig(receiver.url(), 3))));
  // A second model with role live: it fires the webhooks that name it, not the primary's,
  // which have no `model:` key.
  Reply put = Put("/v1/model?role=live", ModelVariant("second", 40), admin_);
  ASSERT_EQ(put.status, 200) << put;
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("second-only"), write_).status, 200);
  ASSERT_TRUE(Eventually(
      [&] {
        for (const auto& t : Transitions("second-only")) {
          if (t["model"] == "second") return true;
        }
        return false;
      },
      "the live model's transition"));
  // ?model= shows that model's transitions only.
  for (const char* model : {"second", "saas-pm"}) {
    Reply own = Get(std::string("/v1/leads/second-only/history?model=") + model, read_);
    ASSERT_EQ(own.status, 200) << own;
    for (const auto& t : own.doc["transitions"]) EXPECT_EQ(t["model"], model) << own;
  }
  EXPECT_FALSE(Get("/v1/leads/second-only/history?model=second", read_).doc["transitions"].empty());
  // Deliveries are queued in the transaction that logs the transition: none may exist now.
  for (const char* status : {"pending", "delivered", "failed"}) {
    Reply rows = Get(std::string("/v1/deliveries?status=") + status, read_);
    ASSERT_EQ(rows.status, 200) << rows;
    EXPECT_TRUE(rows.doc["deliveries"].empty()) << rows;
  }
}

TEST_P(ApiTest, DeletingALeadForgetsItsWebhookDeliveries) {
  Receiver receiver(/*fail_first=*/0);
  ASSERT_TRUE(StartServer(dir_.Write("serve.yaml", WebhookConfig(receiver.url(), 3))));
  ASSERT_EQ(Post("/v1/leads", Fit45Lead("forget-me"), write_).status, 200);
  ASSERT_EQ(
      Post("/v1/events", Event("forget-me", "fq", "quote_request", IsoTime(UnixNow() - 60)), write_)
          .status,
      200);
  ASSERT_TRUE(Eventually(
      [&] { return !Get("/v1/deliveries?status=delivered", read_).doc["deliveries"].empty(); },
      "the delivery"));
  ASSERT_EQ(Delete("/v1/leads/forget-me", admin_).status, 204);
  Reply rows = Get("/v1/deliveries?status=delivered", read_);
  ASSERT_EQ(rows.status, 200) << rows;
  EXPECT_TRUE(rows.doc["deliveries"].empty()) << rows;
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiTest, ::testing::ValuesIn(testutil::StoreBackends()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace leadscore
