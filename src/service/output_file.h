// WriteFileAtomically: how every output file of a run is written.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "core/status.h"

namespace leadscore::service {

// Writes what `body` writes to `path`:
// - "-" or empty: standard output, flushed; a failed write or flush is an error.
// - a regular file, or nothing yet: through a temporary file in the same directory, renamed into
//   place on success, so that a failed or interrupted run never leaves a half-written file. An
//   existing file's permission bits (and, for root, its owner) carry over; being replaced, not
//   rewritten, it no longer shares its contents with hard links to it.
// - a symbolic link: the file it points to, as above; the link stays.
// - anything else that exists (a device such as /dev/stdout or /dev/null, a FIFO): written in
//   place, since it cannot be replaced. A directory is an error.
Status WriteFileAtomically(const std::string& path, const std::function<Status(std::FILE*)>& body);

}  // namespace leadscore::service
