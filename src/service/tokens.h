// API tokens: random, shown once, stored only as a SHA-256 hash.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace leadscore::service {

// read < write < admin: a token may do what its scope and the scopes below it allow.
bool ScopeAllows(const std::string& granted, const std::string& needed);
bool IsScope(const std::string& scope);

// SHA-256 of `token`, hex.
std::string HashToken(const std::string& token);

// Creates a token with `scope`, stores its hash, returns the token ("lsk_" + 64 hex digits).
Result<std::string> CreateToken(store::Store& store, const std::string& scope,
                                const std::string& name, Timestamp now);

}  // namespace leadscore::service
