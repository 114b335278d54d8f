// WebhookSender: one HTTP POST of one outbox row to its webhook, over libcurl.
//
// A sender keeps one CURL easy handle, so connections to a receiver are reused between
// deliveries. Not thread-safe: one sender per thread (the OutboxWorker owns one). It never
// retries and never touches the store; the worker decides what a failure means.
#pragma once

#include <string>

#include "actions/webhook_config.h"
#include "core/time.h"
#include "store/store.h"

namespace leadscore::actions {

struct SendResult {
  bool ok = false;      // the receiver answered 2xx
  int http_status = 0;  // 0 when no answer came
  // Empty when ok; else e.g. "HTTP 500: <start of the answer>", "connection refused: ...",
  // "timeout after 10s". Stored as the row's last_error.
  std::string error;
};

class WebhookSender {
 public:
  WebhookSender();
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // POSTs `row.payload` to `hook.url` with the headers
  //   Content-Type: application/json
  //   Idempotency-Key: <row.idempotency_key>        (the same on every attempt)
  //   X-Leadscore-Signature: <SignatureHeader(hook.secret, now in seconds, payload)>
  //   X-Leadscore-Attempt: <row.attempts + 1>
  //   User-Agent: leadscore/0.1
  // and waits at most hook.timeout. Redirects are not followed (a 3xx is a failure). Blocks;
  // failures are in the result, never thrown.
  SendResult Send(const WebhookConfig& hook, const store::DeliveryRow& row, Timestamp now);

 private:
  void* curl_;  // CURL*; kept out of this header so includers need no curl.h
};

}  // namespace leadscore::actions
