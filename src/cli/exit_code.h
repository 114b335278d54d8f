// Process exit codes, mapped from Status codes in one place.
#pragma once

#include "core/status.h"

namespace leadscore::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // the operation failed (bad model, failing tests)
inline constexpr int kExitUsage = 2;      // bad command line
inline constexpr int kExitBadInput = 3;   // --strict and some input rows were rejected
inline constexpr int kExitInternal = 70;  // a bug (EX_SOFTWARE)

int ExitCodeFor(const Status& status);

}  // namespace leadscore::cli
