// libcurl is called from this file only.
#include "actions/webhook_sender.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include "actions/signature.h"
#include "core/print_stderr.h"

namespace leadscore::actions {
namespace {

// How much of a failing answer's body goes into the error, for whoever reads the failed list.
constexpr size_t kErrorBodyBytes = 200;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
      PrintToStderr("leadscore: curl_global_init failed: {}\n", curl_easy_strerror(code));
      std::abort();
    }
  });
}

size_t KeepStart(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  size_t n = size * count;
  if (body->size() < kErrorBodyBytes) {
    body->append(data, std::min(n, kErrorBodyBytes - body->size()));
  }
  return n;
}

// "10s", "1.5s", "250ms".
std::string FormatDuration(Duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}s", static_cast<double>(ms) / 1000);
}

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string TransportError(CURLcode code, const char* detail, const WebhookConfig& hook) {
  std::string what = *detail ? detail : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      return "connection refused: " + what;
    case CURLE_OPERATION_TIMEDOUT:
      return "timeout after " + FormatDuration(hook.timeout);
    case CURLE_COULDNT_RESOLVE_HOST:
      return "cannot resolve host: " + what;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return "bad url " + hook.url + ": " + what;
    default:
      return what;
  }
}

}  // namespace

WebhookSender::WebhookSender() {
  GlobalInit();
  curl_ = curl_easy_init();
  if (!curl_) {
    PrintToStderr("leadscore: curl_easy_init failed\n");
    std::abort();
  }
}

WebhookSender::~WebhookSender() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

SendResult WebhookSender::Send(const WebhookConfig& hook, const store::DeliveryRow& row,
                               Timestamp now) {
  CURL* curl = static_cast<CURL*>(curl_);
  // Floor division: a signature time never lies in the future.
  int64_t seconds =
      now >= 0 ? now / kMicrosPerSecond : (now - kMicrosPerSecond + 1) / kMicrosPerSecond;
  std::string headers_text[] = {
      "Content-Type: application/json",
      "Idempotency-Key: " + row.idempotency_key,
      "X-Leadscore-Signature: " + SignatureHeader(hook.secret, seconds, row.payload),
      fmt::format("X-Leadscore-Attempt: {}", row.attempts + 1),
      "User-Agent: leadscore/0.1",
      "Expect:",  // no 100-continue round trip for large bodies
  };
  curl_slist* headers = nullptr;
  for (const auto& h : headers_text) headers = curl_slist_append(headers, h.c_str());

  std::string answer;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  long timeout_ms = std::max<long>(
      1, static_cast<long>(
             std::chrono::duration_cast<std::chrono::milliseconds>(hook.timeout).count()));
  curl_easy_setopt(curl, CURLOPT_URL, hook.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, row.payload.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(row.payload.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM: the worker is not the main thread
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, KeepStart);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);

  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  // The handle outlives this call; leave no pointer into this frame behind in it.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  curl_slist_free_all(headers);

  SendResult result;
  result.http_status = static_cast<int>(status);
  if (code != CURLE_OK) {
    result.error = TransportError(code, error_buffer, hook);
    return result;
  }
  if (status >= 200 && status < 300) {
    result.ok = true;
    return result;
  }
  result.error = fmt::format("HTTP {}", status);
  std::string start = OneLine(std::move(answer));
  if (!start.empty()) result.error += ": " + start;
  return result;
}

}  // namespace leadscore::actions
