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

// No file read whole is larger: a model, a mapping or a trees model is kilobytes to megabytes, and
// a path such as /dev/zero never ends.
inline constexpr size_t kMaxWholeFileBytes = size_t{256} << 20;

// `what` names the file in messages: "<path>: is a directory, not <what>",
// "<path>: cannot open <what>: <reason>", "<path>: larger than 256 MiB: not <what>?".
Result<std::string> ReadWholeFile(const std::string& path, std::string_view what);

}  // namespace leadscore
