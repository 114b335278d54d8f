// WebhookConfig: where a stage transition is delivered, and how hard to try.
//
// Read from the `webhooks:` list of the service's YAML config by ParseWebhooks, which reports
// every problem as `file:line:col: message`. Values only: copy them freely between threads.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/status.h"

namespace YAML {
class Node;
}

namespace leadscore::actions {

using Duration = std::chrono::microseconds;

struct WebhookConfig {
  // Unique among the webhooks; letters, digits, `_`, `-` and `.`. It is stored in each outbox
  // row (so renaming a webhook fails its pending deliveries) and is part of the idempotency key.
  std::string name;
  std::string url;     // http:// or https://
  std::string secret;  // the HMAC-SHA256 key of X-Leadscore-Signature (signature.h)
  // Stage ids that fire this webhook. Default: empty, every stage.
  std::vector<std::string> stages;
  bool on_enter = true;  // fire when a lead enters one of `stages`
  bool on_leave = true;  // fire when a lead leaves one of `stages`
  // The model whose transitions fire it. Default: empty, the primary model.
  std::string model;
  // Attempts before a delivery is given up as `failed`. REQUIRES: >= 1.
  int max_attempts = 8;
  // Attempt n (1-based) that fails is retried after min(retry_max, retry_base * 2^(n-1)).
  Duration retry_base = std::chrono::seconds(1);
  Duration retry_max = std::chrono::hours(1);
  // Limit on one attempt: connecting, sending and reading the answer.
  Duration timeout = std::chrono::seconds(10);
};

// Reads the webhook list, e.g. the value of the config's `webhooks:` key:
//
//   - name: crm
//     url: http://127.0.0.1:9000/hook
//     secret: s3cret
//     stages: [mql, sql]      # default: every stage
//     on: [enter]             # enter | leave; default: both
//     model: main             # default: the primary model
//     max_attempts: 5         # default 8
//     retry_base: 1s          # durations as in model files (s, m, h, d, w); default 1s
//     retry_max: 1h           # default 1h
//     timeout: 10s            # default 10s
//
// A null or missing node is an empty list. `file` only labels the messages. On any problem
// returns kInvalidArgument whose message lists every problem found, one per line, as
// `file:line:col: message` (unknown keys, a missing name, url or secret, duplicate names,
// malformed durations or numbers).
Result<std::vector<WebhookConfig>> ParseWebhooks(const YAML::Node& webhooks,
                                                 const std::string& file);

}  // namespace leadscore::actions
