// ReadWholeFile: the bytes of a small file a command reads whole (a model, a trees model, a
// mapping), or a message a user can act on.
//
// std::ifstream opens a directory, and libstdc++ then throws std::ios_base::failure at the
// first read (EISDIR), which callers did not expect: `--predictive some/dir` ended in
// std::terminate.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace leadscore {

// `what` names the file in messages: "<path>: is a directory, not <what>",
// "<path>: cannot open <what>: <reason>".
Result<std::string> ReadWholeFile(const std::string& path, std::string_view what);

}  // namespace leadscore
