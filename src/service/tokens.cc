#include "service/tokens.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace leadscore::service {
namespace {

int ScopeRank(const std::string& scope) {
  if (scope == "read") return 1;
  if (scope == "write") return 2;
  if (scope == "admin") return 3;
  return 0;
}

std::string Hex(const unsigned char* bytes, size_t n) {
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) fmt::format_to(std::back_inserter(out), "{:02x}", bytes[i]);
  return out;
}

}  // namespace

bool ScopeAllows(const std::string& granted, const std::string& needed) {
  return ScopeRank(granted) >= ScopeRank(needed) && ScopeRank(needed) > 0;
}

bool IsScope(const std::string& scope) { return ScopeRank(scope) > 0; }

std::string HashToken(const std::string& token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

Result<std::string> CreateToken(store::Store& store, const std::string& scope,
                                const std::string& name, Timestamp now) {
  if (!IsScope(scope)) {
    return Error(InvalidArgument("scope must be read, write or admin, not \"" + scope + "\""));
  }
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) {
    return Error(Internal("the system's random generator failed"));
  }
  std::string token = "lsk_" + Hex(random, sizeof random);
  LS_RETURN_IF_ERROR(store.InsertToken({HashToken(token), scope, name, now}));
  return token;
}

}  // namespace leadscore::service
