// WriteFileAtomically: how every output file of a run is written. PendingOutput: the same in
// two steps, for a run whose outputs must all be written before any replaces its file.
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
// A write failure of `body` (the stream's error flag set) is reported as "cannot write <path>:
// <reason>", whatever `body` returned; another failure of `body` is returned as it is.
Status WriteFileAtomically(const std::string& path, const std::function<Status(std::FILE*)>& body);

// An output written, as WriteFileAtomically writes it, but not yet in place: Commit() renames it
// into place; dropped without Commit(), it removes what it wrote. Standard output and devices
// are written in place by Write (they cannot wait). Move-only; not thread-safe.
class PendingOutput {
 public:
  // Writes what `body` writes; fails as WriteFileAtomically does, leaving nothing behind.
  static Result<PendingOutput> Write(const std::string& path,
                                     const std::function<Status(std::FILE*)>& body);

  PendingOutput(PendingOutput&& other) noexcept;
  PendingOutput& operator=(PendingOutput&&) = delete;
  PendingOutput(const PendingOutput&) = delete;
  ~PendingOutput();

  // Puts the file in place ("cannot write <path>: <reason>" when the rename fails, and the
  // written file is removed). Calling it twice returns OK the second time.
  Status Commit();

 private:
  PendingOutput(std::string path, std::string tmp, std::string target)
      : path_(std::move(path)), tmp_(std::move(tmp)), target_(std::move(target)) {}

  std::string path_;
  std::string tmp_;  // "" when nothing waits: written in place, committed or moved from
  std::string target_;
};

}  // namespace leadscore::service
