#include "actions/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cassert>
#include <charconv>
#include <string>

namespace leadscore::actions {

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // The one-shot HMAC() is not among OpenSSL 3's deprecated HMAC_CTX calls.
  unsigned char* ok =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  assert(ok != nullptr && length == 32);
  (void)ok;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size_t{2} * length, '0');
  for (size_t i = 0; i < length; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

std::string SignatureHeader(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  std::string t = std::to_string(unix_seconds);
  std::string signed_text;
  signed_text.reserve(t.size() + 1 + body.size());
  signed_text.append(t).append(".").append(body);
  return "t=" + t + ",v1=" + HmacSha256Hex(secret, signed_text);
}

bool VerifySignature(std::string_view secret, std::string_view header, std::string_view body,
                     int64_t now_unix_seconds, int64_t tolerance_seconds) {
  if (header.substr(0, 2) != "t=") return false;
  size_t comma = header.find(",v1=");
  if (comma == std::string_view::npos) return false;
  std::string_view t_text = header.substr(2, comma - 2);
  std::string_view v1 = header.substr(comma + 4);
  int64_t t = 0;
  auto [ptr, ec] = std::from_chars(t_text.data(), t_text.data() + t_text.size(), t);
  if (t_text.empty() || ec != std::errc() || ptr != t_text.data() + t_text.size()) return false;
  if (t < now_unix_seconds - tolerance_seconds || t > now_unix_seconds + tolerance_seconds) {
    return false;
  }
  std::string expected = SignatureHeader(secret, t, body);
  std::string_view expected_v1 = std::string_view(expected).substr(expected.find(",v1=") + 4);
  return v1.size() == expected_v1.size() &&
         CRYPTO_memcmp(v1.data(), expected_v1.data(), v1.size()) == 0;
}

}  // namespace leadscore::actions
