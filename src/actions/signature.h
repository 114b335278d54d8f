// Signing webhook bodies, so a receiver can tell a leadscore delivery from a forgery or a replay.
//
// The scheme is Stripe's. Each delivery carries
//
//   X-Leadscore-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// where <body> is the exact request body and t the time of this attempt. A receiver recomputes
// the HMAC over "<t>.<raw body>" with the webhook's shared secret, compares it in constant time,
// and rejects a t older than a few minutes, which stops a captured request from being replayed
// later. VerifySignature below is that check. Pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leadscore::actions {

// HMAC-SHA256 of `message` under `key`, as 64 lowercase hex digits.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// The X-Leadscore-Signature value for `body` sent at `unix_seconds`:
// `t=<unix_seconds>,v1=<HmacSha256Hex(secret, "<unix_seconds>.<body>")>`.
std::string SignatureHeader(std::string_view secret, int64_t unix_seconds, std::string_view body);

// The receiver's check: true when `header` has the form above, its v1 matches `body` under
// `secret` (compared in constant time), and its t is within `tolerance_seconds` of
// `now_unix_seconds` either way.
bool VerifySignature(std::string_view secret, std::string_view header, std::string_view body,
                     int64_t now_unix_seconds, int64_t tolerance_seconds = 300);

}  // namespace leadscore::actions
