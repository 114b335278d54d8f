#include "actions/outbox_worker.h"

#include <fmt/format.h>
#include <pthread.h>

#include <algorithm>
#include <limits>

#include "core/print_stderr.h"

namespace leadscore::actions {
namespace {

Timestamp SystemNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Duration RetryDelay(const WebhookConfig& hook, int64_t attempts) {
  Duration delay = hook.retry_base;
  for (int64_t i = 1; i < attempts && delay < hook.retry_max; ++i) {
    if (delay > Duration::max() / 2) return hook.retry_max;
    delay *= 2;
  }
  return std::min(delay, hook.retry_max);
}

Result<std::unique_ptr<Outbox>> Outbox::Start(const std::string& store_target,
                                              const std::vector<WebhookConfig>& hooks,
                                              OutboxOptions options) {
  std::unique_ptr<Outbox> outbox(new Outbox());
  {
    LS_ASSIGN_OR_RETURN(auto store, store::Store::Open(store_target));
    std::vector<std::string> names;
    for (const WebhookConfig& hook : hooks) names.push_back(hook.name);
    LS_ASSIGN_OR_RETURN(const int64_t failed, store->FailUnconfigured(names));
    outbox->gave_up_at_start_ = static_cast<uint64_t>(failed);
    if (failed > 0) {
      PrintToStderr(
          "leadscore outbox: gave up {} pending deliveries to webhooks no longer "
          "configured\n",
          failed);
    }
  }
  for (const WebhookConfig& hook : hooks) {
    OutboxOptions lane = options;
    lane.only_webhook = hook.name;
    LS_ASSIGN_OR_RETURN(auto worker, OutboxWorker::Start(store_target, {hook}, std::move(lane)));
    outbox->workers_.push_back(std::move(worker));
  }
  return outbox;
}

Outbox::~Outbox() { Stop(); }

void Outbox::Wake() {
  for (auto& worker : workers_) worker->Wake();
}

void Outbox::Stop() {
  // Together: each waits for its delivery in flight, at most its webhook's timeout.
  std::vector<std::thread> stopping;
  for (auto& worker : workers_) stopping.emplace_back([&worker] { worker->Stop(); });
  for (std::thread& t : stopping) t.join();
}

OutboxCounters Outbox::counters() const {
  OutboxCounters sum;
  sum.gave_up = gave_up_at_start_;
  for (const auto& worker : workers_) {
    const OutboxCounters c = worker->counters();
    sum.delivered += c.delivered;
    sum.attempts_failed += c.attempts_failed;
    sum.gave_up += c.gave_up;
    sum.store_errors += c.store_errors;
  }
  return sum;
}

Result<std::unique_ptr<OutboxWorker>> OutboxWorker::Start(const std::string& store_target,
                                                          std::vector<WebhookConfig> hooks,
                                                          OutboxOptions options) {
  LS_ASSIGN_OR_RETURN(auto store, store::Store::Open(store_target));
  if (!options.clock) options.clock = SystemNow;
  options.batch_size = std::max<int64_t>(1, options.batch_size);
  std::unique_ptr<OutboxWorker> worker(
      new OutboxWorker(std::move(store), std::move(hooks), std::move(options)));
  worker->thread_ = std::thread([w = worker.get()] { w->Run(); });
  pthread_setname_np(worker->thread_.native_handle(), "ls-outbox");  // as top -H shows it
  return worker;
}

OutboxWorker::OutboxWorker(std::unique_ptr<store::Store> store, std::vector<WebhookConfig> hooks,
                           OutboxOptions options)
    : store_(std::move(store)), hooks_(std::move(hooks)), options_(std::move(options)) {}

OutboxWorker::~OutboxWorker() { Stop(); }

void OutboxWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

void OutboxWorker::Stop() {
  stopping_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  std::lock_guard<std::mutex> lock(join_mu_);
  if (thread_.joinable()) thread_.join();
}

OutboxCounters OutboxWorker::counters() const {
  return {delivered_.load(), attempts_failed_.load(), gave_up_.load(), store_errors_.load()};
}

void OutboxWorker::Run() {
  // The earliest retry scheduled and not yet due, so a short backoff is not stretched to the
  // poll interval.
  Timestamp retry_at = std::numeric_limits<Timestamp>::max();
  while (true) {
    if (retry_at <= Now()) retry_at = std::numeric_limits<Timestamp>::max();
    bool again = !stopping_ && Pass(retry_at);
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) return;
    if (again || wake_) {
      wake_ = false;
      continue;
    }
    // Sleep until the poll, or until the earliest retry when that comes first.
    auto wait = std::chrono::duration_cast<Duration>(options_.poll_interval);
    if (retry_at != std::numeric_limits<Timestamp>::max()) {
      wait = std::clamp(Duration(retry_at - Now()), Duration(0), wait);
    }
    cv_.wait_for(lock, wait, [this] { return stop_ || wake_; });
    if (stop_) return;
    wake_ = false;
  }
}

bool OutboxWorker::Pass(Timestamp& retry_at) {
  auto due = store_->DueDeliveries(Now(), options_.batch_size, options_.only_webhook);
  if (!due) {
    StoreError("reading due deliveries", due.error());
    return false;
  }
  for (const store::DeliveryRow& row : *due) {
    if (stopping_) return false;
    if (!Deliver(row, retry_at)) return false;
  }
  StoreOk();
  return static_cast<int64_t>(due->size()) == options_.batch_size;
}

bool OutboxWorker::Deliver(const store::DeliveryRow& row, Timestamp& retry_at) {
  auto hook = std::find_if(hooks_.begin(), hooks_.end(),
                           [&](const WebhookConfig& h) { return h.name == row.webhook; });
  if (hook == hooks_.end()) {
    Status status = store_->MarkAttemptFailed(
        row.id, row.attempts, Now(), "webhook " + row.webhook + " is no longer configured", true);
    if (!status.ok()) {
      StoreError("giving up a delivery", status);
      return false;
    }
    ++gave_up_;
    return true;
  }

  SendResult sent = sender_.Send(*hook, row, Now());
  Timestamp now = Now();  // after the attempt, so a slow timeout does not eat the backoff
  int64_t attempts = row.attempts + 1;
  if (sent.ok) {
    ++delivered_;
    // Should this fail, the row stays pending and is sent again: at least once.
    Status status = store_->MarkDelivered(row.id, attempts, now);
    if (!status.ok()) {
      StoreError("recording a delivery", status);
      return false;
    }
    return true;
  }
  ++attempts_failed_;
  bool give_up = attempts >= hook->max_attempts;
  Timestamp next = now + RetryDelay(*hook, attempts).count();
  Status status = store_->MarkAttemptFailed(row.id, attempts, next, sent.error, give_up);
  if (!status.ok()) {
    StoreError("recording a failed delivery", status);
    return false;
  }
  if (give_up) {
    ++gave_up_;
    // The receiver will not get it: said where the operator looks, not only in /v1/deliveries.
    PrintToStderr(
        "leadscore outbox: gave up delivery {} ({}) to webhook {} after {} attempts: {}\n", row.id,
        row.idempotency_key, hook->name, attempts, sent.error);
  } else {
    retry_at = std::min(retry_at, next);
  }
  return true;
}

void OutboxWorker::StoreError(const char* what, const Status& status) {
  ++store_errors_;
  ++consecutive_store_errors_;
  // 1st, 10th, 100th, ... of a run: an outage of an hour logs a handful of lines, not 18,000.
  uint64_t n = consecutive_store_errors_;
  while (n % 10 == 0) n /= 10;
  if (n == 1) {
    PrintToStderr("leadscore outbox: {} failed ({} in a row): {}; retrying at the next poll\n",
                  what, consecutive_store_errors_, status.ToString());
  }
}

void OutboxWorker::StoreOk() {
  if (consecutive_store_errors_ > 0) {
    PrintToStderr("leadscore outbox: the store answers again after {} errors\n",
                  consecutive_store_errors_);
  }
  consecutive_store_errors_ = 0;
}

}  // namespace leadscore::actions
