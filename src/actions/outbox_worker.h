// OutboxWorker: the thread that drains the outbox, delivering each pending row to its webhook
// until it is delivered or given up.
//
// Delivery is at least once. A row leaves `pending` only after its attempt's outcome is stored,
// so a crash (or Stop) between sending and storing sends that row again on the next start, with
// the same Idempotency-Key; receivers deduplicate on it. Row states (store.h, outbox):
//
//   pending --2xx--> delivered
//   pending --failure, attempts < max_attempts--> pending (next_attempt_at = now + backoff)
//   pending --failure, attempts >= max_attempts, or webhook no longer configured--> failed
//
// The worker owns its thread, its Store connection and its WebhookSender. Wake, Stop and
// counters may be called from any thread. Run one worker per store: two would both send a row.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actions/webhook_config.h"
#include "actions/webhook_sender.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace leadscore::actions {

struct OutboxOptions {
  // How often the outbox is checked for due rows when nobody calls Wake(). Default: 200 ms.
  std::chrono::milliseconds poll_interval{200};
  // Rows read per DueDeliveries call. Default: 100. REQUIRES: >= 1.
  int64_t batch_size = 100;
  // The clock that decides what is due and stamps signatures. Default (empty): the system
  // clock. Tests may pass their own.
  std::function<Timestamp()> clock;
  // Only the rows of this webhook (Outbox runs one worker per webhook). Default: every row.
  std::string only_webhook;
};

// What the worker has done since it started; each a monotonic count for /metrics.
struct OutboxCounters {
  uint64_t delivered = 0;        // attempts answered 2xx
  uint64_t attempts_failed = 0;  // attempts that failed (each retry counts)
  uint64_t gave_up = 0;          // rows marked `failed`
  uint64_t store_errors = 0;     // store calls that failed (e.g. the database was locked)
};

// The wait after failed attempt number `attempts` (1-based) of `hook`:
// min(retry_max, retry_base * 2^(attempts - 1)).
Duration RetryDelay(const WebhookConfig& hook, int64_t attempts);

class OutboxWorker;

// The service's outbox: one OutboxWorker per webhook, so that a receiver that hangs until its
// timeout delays only its own deliveries (with one worker for all, a receiver that never
// answered held every other webhook's to one delivery per timeout). Deliveries pending for a
// webhook no longer configured are given up when it starts.
class Outbox {
 public:
  static Result<std::unique_ptr<Outbox>> Start(const std::string& store_target,
                                               const std::vector<WebhookConfig>& hooks,
                                               OutboxOptions options = {});
  ~Outbox();
  void Wake();
  void Stop();
  OutboxCounters counters() const;  // summed over the workers

 private:
  std::vector<std::unique_ptr<OutboxWorker>> workers_;
  uint64_t gave_up_at_start_ = 0;
};

class OutboxWorker {
 public:
  // Opens its own connection to `store_target` (a SQLite path or postgresql:// URL, as
  // store::Store::Open takes) and starts the thread. Returns the store's error when it cannot
  // be opened; no thread is left running then.
  static Result<std::unique_ptr<OutboxWorker>> Start(const std::string& store_target,
                                                     std::vector<WebhookConfig> hooks,
                                                     OutboxOptions options = {});

  // Stops (see Stop).
  ~OutboxWorker();
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  // Looks for due rows now instead of at the next poll. The service calls it after committing
  // a transaction that enqueued deliveries. Cheap; never blocks on delivery.
  void Wake();

  // Lets the delivery in flight finish (at most its webhook's timeout) and its outcome be
  // stored, then joins the thread. Rows not yet attempted stay pending for the next worker.
  // Idempotent.
  void Stop();

  OutboxCounters counters() const;

 private:
  OutboxWorker(std::unique_ptr<store::Store> store, std::vector<WebhookConfig> hooks,
               OutboxOptions options);

  void Run();
  // Attempts the due rows. Returns true when the outbox should be read again at once (a full
  // batch, no store error). Lowers `retry_at` to the earliest retry it scheduled.
  bool Pass(Timestamp& retry_at);
  // False on a store error.
  bool Deliver(const store::DeliveryRow& row, Timestamp& retry_at);
  void StoreError(const char* what, const Status& status);
  void StoreOk();
  Timestamp Now() const { return options_.clock(); }

  // Used by the worker thread only.
  std::unique_ptr<store::Store> store_;
  WebhookSender sender_;
  uint64_t consecutive_store_errors_ = 0;
  std::vector<WebhookConfig> hooks_;
  OutboxOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;                  // guarded by mu_
  bool stop_ = false;                  // guarded by mu_
  std::atomic<bool> stopping_{false};  // Stop was called: attempt no further rows
  std::mutex join_mu_;                 // one Stop joins; the others wait for it

  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> attempts_failed_{0};
  std::atomic<uint64_t> gave_up_{0};
  std::atomic<uint64_t> store_errors_{0};

  std::thread thread_;  // last: started once everything above is initialized
};

}  // namespace leadscore::actions
