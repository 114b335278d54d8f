// Webhooks end to end: config parsing, signatures, which transitions fire what, and delivery
// over loopback to a real HTTP receiver, on SQLite (and PostgreSQL when LEADSCORE_TEST_POSTGRES
// names a server).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "actions/outbox_worker.h"
#include "actions/signature.h"
#include "actions/transition_actions.h"
#include "actions/webhook_config.h"
#include "actions/webhook_sender.h"
#include "testutil/store_backend_test.h"

namespace leadscore::actions {
namespace {

using namespace std::chrono_literals;

// ---- config ---------------------------------------------------------------------------------

Result<std::vector<WebhookConfig>> Parse(const std::string& yaml) {
  return ParseWebhooks(YAML::Load(yaml)["webhooks"], "service.yaml");
}

std::string ErrorOf(const Result<std::vector<WebhookConfig>>& r) {
  return r ? std::string("(parsed)") : r.error().message();
}

TEST(WebhookConfig, ReadsEveryKeyAndDefaults) {
  auto r = Parse(R"(webhooks:
  - name: crm
    url: http://127.0.0.1:9000/hook
    secret: s3cret
    stages: [mql, sql]
    on: [enter]
    model: main
    max_attempts: 5
    retry_base: 0.5s
    retry_max: 10m
    timeout: 3s
  - name: slack
    url: https://hooks.example.com/x
    secret: other
)");
  ASSERT_TRUE(r) << ErrorOf(r);
  ASSERT_EQ(r->size(), 2u);
  const WebhookConfig& crm = (*r)[0];
  EXPECT_EQ(crm.name, "crm");
  EXPECT_EQ(crm.url, "http://127.0.0.1:9000/hook");
  EXPECT_EQ(crm.secret, "s3cret");
  EXPECT_EQ(crm.stages, (std::vector<std::string>{"mql", "sql"}));
  EXPECT_TRUE(crm.on_enter);
  EXPECT_FALSE(crm.on_leave);
  EXPECT_EQ(crm.model, "main");
  EXPECT_EQ(crm.max_attempts, 5);
  EXPECT_EQ(crm.retry_base, 500ms);
  EXPECT_EQ(crm.retry_max, 10min);
  EXPECT_EQ(crm.timeout, 3s);
  const WebhookConfig& slack = (*r)[1];
  EXPECT_TRUE(slack.stages.empty());
  EXPECT_TRUE(slack.on_enter);
  EXPECT_TRUE(slack.on_leave);
  EXPECT_TRUE(slack.model.empty());
  EXPECT_EQ(slack.max_attempts, 8);
  EXPECT_EQ(slack.retry_base, 1s);
  EXPECT_EQ(slack.retry_max, 1h);
  EXPECT_EQ(slack.timeout, 10s);
}

TEST(WebhookConfig, MissingListIsEmpty) {
  auto r = Parse("other: 1\n");
  ASSERT_TRUE(r) << ErrorOf(r);
  EXPECT_TRUE(r->empty());
  r = Parse("webhooks:\n");
  ASSERT_TRUE(r) << ErrorOf(r);
  EXPECT_TRUE(r->empty());
}

TEST(WebhookConfig, RejectsUnknownKeyWithLineAndColumn) {
  auto r = Parse(R"(webhooks:
  - name: crm
    url: http://x/
    secret: s
    retries: 3
)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ErrorOf(r).find("service.yaml:5:5: unknown key `retries` in a webhook; the keys are "
                            "name, url,"),
            std::string::npos)
      << ErrorOf(r);
}

TEST(WebhookConfig, RejectsMissingNameUrlAndSecret) {
  auto r = Parse(R"(webhooks:
  - url: http://x/
    secret: s
  - name: crm
    secret: s
  - name: bare
    url: http://x/
)");
  ASSERT_FALSE(r);
  EXPECT_EQ(ErrorOf(r),
            "service.yaml:2:5: a webhook needs a `name`\n"
            "service.yaml:4:5: webhook `crm` needs a `url`\n"
            "service.yaml:6:5: webhook `bare` needs a `secret`: receivers check "
            "X-Leadscore-Signature with it");
}

TEST(WebhookConfig, RejectsDuplicateNames) {
  auto r = Parse(R"(webhooks:
  - {name: crm, url: "http://a/", secret: s}
  - {name: crm, url: "http://b/", secret: s}
)");
  ASSERT_FALSE(r);
  EXPECT_EQ(ErrorOf(r), "service.yaml:3:12: webhook `crm` is already defined at line 2");
}

TEST(WebhookConfig, RejectsBadDurationsAndValues) {
  auto r = Parse(R"(webhooks:
  - name: crm
    url: ftp://x/
    secret: s
    retry_base: 20ms
    timeout: soon
    max_attempts: 0
    on: [enter, arrive]
)");
  ASSERT_FALSE(r);
  std::string e = ErrorOf(r);
  EXPECT_NE(e.find("service.yaml:3:10: url `ftp://x/` must start with http:// or https://"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("service.yaml:5:17: retry_base: `20ms` is not a duration"), std::string::npos)
      << e;
  EXPECT_NE(e.find("service.yaml:6:14: timeout: `soon` is not a duration"), std::string::npos) << e;
  EXPECT_NE(e.find("service.yaml:7:19: max_attempts must be a whole number from 1 to 1000"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("service.yaml:8:9: on: `arrive` is not a direction"), std::string::npos) << e;
}

TEST(WebhookConfig, RejectsRetryMaxBelowRetryBaseAndANonList) {
  auto r = Parse(R"(webhooks:
  - {name: crm, url: "http://a/", secret: s, retry_base: 1h, retry_max: 1m}
)");
  ASSERT_FALSE(r);
  EXPECT_NE(ErrorOf(r).find("retry_max must not be shorter than retry_base"), std::string::npos);
  r = Parse("webhooks: {name: crm}\n");
  ASSERT_FALSE(r);
  EXPECT_NE(ErrorOf(r).find("service.yaml:1:11: webhooks must be a list"), std::string::npos)
      << ErrorOf(r);
}

// ---- signature ------------------------------------------------------------------------------

TEST(Signature, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Signature, HeaderSignsTimeDotBody) {
  std::string body = R"({"a":1})";
  EXPECT_EQ(SignatureHeader("s3cret", 1714557600, body),
            "t=1714557600,v1=" + HmacSha256Hex("s3cret", "1714557600." + body));
}

TEST(Signature, VerifyRejectsTamperingWrongSecretAndOldTimes) {
  std::string body = R"({"a":1})";
  std::string header = SignatureHeader("s3cret", 1000, body);
  EXPECT_TRUE(VerifySignature("s3cret", header, body, 1000));
  EXPECT_TRUE(VerifySignature("s3cret", header, body, 1300));
  EXPECT_FALSE(VerifySignature("s3cret", header, body, 1301));  // a replay, too late
  EXPECT_FALSE(VerifySignature("s3cret", header, R"({"a":2})", 1000));
  EXPECT_FALSE(VerifySignature("other", header, body, 1000));
  EXPECT_FALSE(VerifySignature("s3cret", "t=1000", body, 1000));
  EXPECT_FALSE(VerifySignature("s3cret", "garbage", body, 1000));
}

// ---- which transitions fire what ------------------------------------------------------------

store::TransitionRow Transition(std::optional<std::string> from, std::optional<std::string> to) {
  store::TransitionRow t;
  t.id = 42;
  t.lead_id = "lead-1";
  t.model = "main";
  t.model_version = 3;
  t.from_stage = std::move(from);
  t.to_stage = std::move(to);
  t.score = 71.5;
  t.at = 1714557600 * kMicrosPerSecond;
  t.cause = "event:e7";
  t.explanation = R"([{"rule":"demo","points":30}])";
  return t;
}

WebhookConfig Hook(std::string name, std::vector<std::string> stages = {}) {
  WebhookConfig h;
  h.name = std::move(name);
  h.url = "http://127.0.0.1:1/";
  h.secret = "s3cret";
  h.stages = std::move(stages);
  return h;
}

TEST(DeliveriesFor, EnteringAStageGivesOneRowWithThePayload) {
  auto rows = DeliveriesFor(Transition(std::nullopt, "mql"), true, {Hook("crm", {"mql"})}, 99);
  ASSERT_EQ(rows.size(), 1u);
  const store::DeliveryRow& row = rows[0];
  EXPECT_EQ(row.webhook, "crm");
  EXPECT_EQ(row.lead_id, "lead-1");
  EXPECT_EQ(row.idempotency_key, "42:crm:enter");
  EXPECT_EQ(row.next_attempt_at, 99);
  EXPECT_EQ(row.status, "pending");
  auto payload = nlohmann::json::parse(row.payload);
  EXPECT_EQ(payload, nlohmann::json::parse(R"({
    "type": "lead.stage_entered", "lead_id": "lead-1", "model": "main", "model_version": 3,
    "from_stage": null, "to_stage": "mql", "score": 71.5, "at": "2024-05-01T10:00:00Z",
    "cause": "event:e7", "reasons": [{"rule": "demo", "points": 30}], "transition_id": 42})"));
}

TEST(DeliveriesFor, MovingBetweenStagesGivesARowPerDirection) {
  auto rows = DeliveriesFor(Transition("mql", "sql"), true, {Hook("crm")}, 0);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].idempotency_key, "42:crm:leave");
  EXPECT_EQ(nlohmann::json::parse(rows[0].payload)["type"], "lead.stage_left");
  EXPECT_EQ(rows[1].idempotency_key, "42:crm:enter");
  EXPECT_EQ(nlohmann::json::parse(rows[1].payload)["type"], "lead.stage_entered");
}

TEST(DeliveriesFor, StagesAndDirectionsFilter) {
  WebhookConfig enter_sql = Hook("enter_sql", {"sql"});
  enter_sql.on_leave = false;
  WebhookConfig leave_mql = Hook("leave_mql", {"mql"});
  leave_mql.on_enter = false;
  WebhookConfig leave_sql = Hook("leave_sql", {"sql"});
  leave_sql.on_enter = false;
  std::vector<WebhookConfig> hooks = {enter_sql, leave_mql, leave_sql, Hook("other", {"won"})};

  auto rows = DeliveriesFor(Transition("mql", "sql"), true, hooks, 0);
  std::set<std::string> keys;
  for (const auto& r : rows) keys.insert(r.idempotency_key);
  EXPECT_EQ(keys, (std::set<std::string>{"42:enter_sql:enter", "42:leave_mql:leave"}));

  rows = DeliveriesFor(Transition("sql", std::nullopt), true, hooks, 0);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].idempotency_key, "42:leave_sql:leave");
  EXPECT_TRUE(nlohmann::json::parse(rows[0].payload)["to_stage"].is_null());

  EXPECT_TRUE(DeliveriesFor(Transition("mql", "mql"), true, hooks, 0).empty());
}

TEST(DeliveriesFor, ModelSelectsTheHook) {
  WebhookConfig primary = Hook("primary");
  WebhookConfig main = Hook("main");
  main.model = "main";
  WebhookConfig other = Hook("other");
  other.model = "other";
  std::vector<WebhookConfig> hooks = {primary, main, other};

  auto as_primary = DeliveriesFor(Transition(std::nullopt, "mql"), true, hooks, 0);
  ASSERT_EQ(as_primary.size(), 2u);
  EXPECT_EQ(as_primary[0].webhook, "primary");
  EXPECT_EQ(as_primary[1].webhook, "main");

  // "main" scored as a live (not primary) model: only the hook that names it.
  auto as_live = DeliveriesFor(Transition(std::nullopt, "mql"), false, hooks, 0);
  ASSERT_EQ(as_live.size(), 1u);
  EXPECT_EQ(as_live[0].webhook, "main");
}

TEST(RetryDelay, DoublesFromBaseUpToMax) {
  WebhookConfig h = Hook("crm");
  h.retry_base = 1s;
  h.retry_max = 10s;
  EXPECT_EQ(RetryDelay(h, 1), 1s);
  EXPECT_EQ(RetryDelay(h, 2), 2s);
  EXPECT_EQ(RetryDelay(h, 4), 8s);
  EXPECT_EQ(RetryDelay(h, 5), 10s);
  EXPECT_EQ(RetryDelay(h, 1000), 10s);
}

// ---- delivery over loopback -----------------------------------------------------------------

struct Received {
  std::string key, signature, attempt, content_type, user_agent, body;
};

// An HTTP server on a free loopback port that records each POST /hook and answers it with the
// status `answer(n)` gives for the n-th request (1-based).
class Receiver {
 public:
  explicit Receiver(std::function<int(int)> answer) : answer_(std::move(answer)) {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(
          {req.get_header_value("Idempotency-Key"), req.get_header_value("X-Leadscore-Signature"),
           req.get_header_value("X-Leadscore-Attempt"), req.get_header_value("Content-Type"),
           req.get_header_value("User-Agent"), req.body});
      res.status = answer_(static_cast<int>(received_.size()));
      res.set_content(res.status == 200 ? "ok" : "busy\n", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<Received> received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  std::function<int(int)> answer_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Received> received_;
};

// A loopback port nobody listens on: bound, read, closed.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Polls `done` until it holds or a generous deadline passes (a loaded 2-core box is slow).
bool WaitFor(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

Timestamp SystemNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class OutboxWorkerTest : public testutil::StoreBackendTest {
 protected:
  WebhookConfig FastHook(const std::string& url) {
    WebhookConfig h = Hook("crm");
    h.url = url;
    h.retry_base = 20ms;
    h.retry_max = 200ms;
    h.timeout = 5s;
    return h;
  }

  // What the service does: the transition and its deliveries in one transaction. Returns the
  // idempotency keys enqueued.
  std::vector<std::string> RecordTransition(const std::string& lead,
                                            const std::vector<WebhookConfig>& hooks) {
    std::vector<std::string> keys;
    Status status = store_->Transaction([&]() -> Status {
      Timestamp now = SystemNow();
      LS_RETURN_IF_ERROR(store_->EnsureLead(lead, now));
      store::TransitionRow t = Transition(std::nullopt, "mql");
      t.lead_id = lead;
      LS_RETURN_IF_ERROR(store_->InsertTransition(t));
      for (store::DeliveryRow& row : DeliveriesFor(t, true, hooks, now)) {
        LS_ASSIGN_OR_RETURN(bool added, store_->EnqueueDelivery(row));
        EXPECT_TRUE(added);
        keys.push_back(row.idempotency_key);
      }
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return keys;
  }

  std::unique_ptr<OutboxWorker> StartWorker(std::vector<WebhookConfig> hooks,
                                            OutboxOptions options = {}) {
    auto worker = OutboxWorker::Start(scratch_->target(), std::move(hooks), std::move(options));
    EXPECT_TRUE(worker) << worker.error().ToString();
    return worker ? std::move(*worker) : nullptr;
  }

  std::vector<store::DeliveryRow> Rows(const std::string& status) {
    auto rows = store_->Deliveries(status, 100);
    EXPECT_TRUE(rows) << rows.error().ToString();
    return rows ? *rows : std::vector<store::DeliveryRow>{};
  }
};

TEST_P(OutboxWorkerTest, RetriesUntilDeliveredWithOneKeyAndValidSignatures) {
  Receiver receiver([](int n) { return n <= 2 ? 500 : 200; });
  // A poll far beyond the deadline: the first attempt comes from Wake(), the retries from the
  // backoff.
  OutboxOptions options;
  options.poll_interval = 1h;
  auto worker = StartWorker({FastHook(receiver.url())}, options);
  ASSERT_TRUE(worker);
  auto keys = RecordTransition("lead-1", {FastHook(receiver.url())});
  ASSERT_EQ(keys.size(), 1u);
  worker->Wake();

  ASSERT_TRUE(WaitFor([&] { return worker->counters().delivered == 1; }));
  worker->Stop();
  OutboxCounters counters = worker->counters();
  EXPECT_EQ(counters.delivered, 1u);
  EXPECT_EQ(counters.attempts_failed, 2u);
  EXPECT_EQ(counters.gave_up, 0u);

  auto received = receiver.received();
  ASSERT_EQ(received.size(), 3u);
  int64_t now_seconds = std::time(nullptr);
  for (size_t i = 0; i < received.size(); ++i) {
    EXPECT_EQ(received[i].key, keys[0]);
    EXPECT_EQ(received[i].attempt, std::to_string(i + 1));
    EXPECT_EQ(received[i].content_type, "application/json");
    EXPECT_EQ(received[i].user_agent, "leadscore/0.1");
    EXPECT_TRUE(VerifySignature("s3cret", received[i].signature, received[i].body, now_seconds))
        << received[i].signature;
    EXPECT_FALSE(VerifySignature("wrong", received[i].signature, received[i].body, now_seconds));
    EXPECT_EQ(nlohmann::json::parse(received[i].body)["lead_id"], "lead-1");
  }

  auto delivered = Rows("delivered");
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].attempts, 3);
  EXPECT_TRUE(delivered[0].delivered_at.has_value());
  EXPECT_EQ(delivered[0].last_error, "");
  EXPECT_TRUE(Rows("pending").empty());
}

TEST_P(OutboxWorkerTest, GivesUpAfterMaxAttemptsKeepingTheLastError) {
  Receiver receiver([](int) { return 503; });
  WebhookConfig hook = FastHook(receiver.url());
  hook.max_attempts = 3;
  RecordTransition("lead-1", {hook});
  auto worker = StartWorker({hook});
  ASSERT_TRUE(worker);

  ASSERT_TRUE(WaitFor([&] { return worker->counters().gave_up == 1; }));
  worker->Stop();
  EXPECT_EQ(worker->counters().attempts_failed, 3u);
  EXPECT_EQ(worker->counters().delivered, 0u);
  EXPECT_EQ(receiver.received().size(), 3u);
  auto failed = Rows("failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].attempts, 3);
  EXPECT_EQ(failed[0].last_error, "HTTP 503: busy");
  EXPECT_TRUE(Rows("pending").empty());
}

TEST_P(OutboxWorkerTest, FailsRowsOfAWebhookNoLongerConfigured) {
  WebhookConfig gone = Hook("gone");
  RecordTransition("lead-1", {gone});
  auto worker = StartWorker({Hook("crm")});
  ASSERT_TRUE(worker);

  ASSERT_TRUE(WaitFor([&] { return worker->counters().gave_up == 1; }));
  worker->Stop();
  auto failed = Rows("failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].last_error, "webhook gone is no longer configured");
  EXPECT_EQ(failed[0].attempts, 0);
}

TEST_P(OutboxWorkerTest, PendingRowsSurviveAStoppedWorker) {
  // The first worker can reach no one, and its backoff is long: it stops with the rows pending.
  WebhookConfig unreachable = FastHook("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/");
  unreachable.retry_base = 1h;
  unreachable.retry_max = 1h;
  auto keys = RecordTransition("lead-1", {unreachable});
  auto more = RecordTransition("lead-2", {unreachable});
  keys.insert(keys.end(), more.begin(), more.end());
  ASSERT_EQ(keys.size(), 2u);
  {
    auto worker = StartWorker({unreachable});
    ASSERT_TRUE(worker);
    ASSERT_TRUE(WaitFor([&] { return worker->counters().attempts_failed == 2; }));
  }  // destroyed: stopped
  auto pending = Rows("pending");
  ASSERT_EQ(pending.size(), 2u);
  for (const auto& row : pending) {
    EXPECT_EQ(row.attempts, 1);
    EXPECT_EQ(row.last_error.rfind("connection refused", 0), 0u) << row.last_error;
  }

  // A new worker on the same store, its clock past the backoff, delivers them.
  Receiver receiver([](int) { return 200; });
  OutboxOptions options;
  options.clock = [] { return SystemNow() + int64_t{2} * 3600 * kMicrosPerSecond; };
  auto worker = StartWorker({FastHook(receiver.url())}, options);
  ASSERT_TRUE(worker);
  ASSERT_TRUE(WaitFor([&] { return worker->counters().delivered == 2; }));
  worker->Stop();
  auto received = receiver.received();
  ASSERT_EQ(received.size(), 2u);
  std::set<std::string> got;
  for (const auto& r : received) {
    got.insert(r.key);
    EXPECT_EQ(r.attempt, "2");
  }
  EXPECT_EQ(got, std::set<std::string>(keys.begin(), keys.end()));
  EXPECT_EQ(Rows("delivered").size(), 2u);
}

// A listening socket nobody accepts from: a connection to it is made from the backlog, and no
// answer ever comes. Closed when the object goes.
class SilentPort {
 public:
  SilentPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(fd_, 64), 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentPort() { Close(); }
  // Resets the connections waiting in its backlog: a request in flight fails at once.
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Each webhook has its own worker: a receiver that never answers holds its own deliveries to
// one a timeout, not every other webhook's. Rows of a webhook no longer configured are given
// up when the outbox starts.
TEST_P(OutboxWorkerTest, AHangingReceiverDelaysOnlyItsOwnWebhook) {
  SilentPort silent;
  Receiver receiver([](int) { return 200; });
  WebhookConfig hanging = FastHook(silent.url());
  hanging.name = "hanging";
  hanging.timeout = 30s;  // beyond WaitFor's deadline: `good` must not wait for it
  WebhookConfig good = FastHook(receiver.url());
  good.name = "good";
  for (int i = 0; i < 5; ++i) RecordTransition("lead-" + std::to_string(i), {hanging, good});
  RecordTransition("lead-gone", {Hook("gone")});

  auto outbox = Outbox::Start(scratch_->target(), {hanging, good});
  ASSERT_TRUE(outbox) << outbox.error().ToString();
  // All five within WaitFor's 10 s, where one worker for both waited out hanging's 30 s
  // before the first. A delivery is counted once its answer is stored, a moment after the
  // receiver has the request.
  EXPECT_TRUE(WaitFor([&] {
    return receiver.received().size() == 5 && (*outbox)->counters().delivered == 5;
  })) << receiver.received().size()
      << " received, " << (*outbox)->counters().delivered << " counted delivered";
  EXPECT_EQ((*outbox)->counters().gave_up, 1u);  // the row for `gone`
  silent.Close();  // so that Stop need not wait out the attempt in flight
  (*outbox)->Stop();
  auto failed = Rows("failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].webhook, "gone");
  EXPECT_EQ(failed[0].last_error, "webhook gone is no longer configured");
}

TEST_P(OutboxWorkerTest, StopsAtOnceWhenIdle) {
  OutboxOptions options;
  options.poll_interval = 1h;
  auto worker = StartWorker({}, options);
  ASSERT_TRUE(worker);
  auto start = std::chrono::steady_clock::now();
  worker->Stop();
  worker->Stop();  // idempotent
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxWorkerTest, ::testing::ValuesIn(testutil::StoreBackends()),
                         [](const auto& param_info) { return param_info.param; });

TEST(WebhookSender, ReportsATimeout) {
  SilentPort silent;
  WebhookConfig hook = Hook("crm");
  hook.url = silent.url();
  hook.timeout = 200ms;
  store::DeliveryRow row;
  row.payload = "{}";
  row.idempotency_key = "1:crm:enter";
  WebhookSender sender;
  SendResult result = sender.Send(hook, row, SystemNow());
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.error, "timeout after 200ms");
}

TEST(OutboxWorker, StartFailsOnAnUnopenableStore) {
  auto worker = OutboxWorker::Start("/nonexistent-dir/x/y.db", {});
  EXPECT_FALSE(worker);
}

}  // namespace
}  // namespace leadscore::actions
