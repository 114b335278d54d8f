// WriteFileAtomically: how every output file of a run is written. PendingOutput: the same in
// two steps, for a run whose outputs must all be written before any replaces its file.
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "core/status.h"

namespace leadscore {

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
// are written in place (they cannot wait). Move-only; not thread-safe.
//
// Write() writes it from a body at once. Open() is for a writer that writes as it goes: write to
// file(), then Close() (or Commit(), which closes first).
class PendingOutput {
 public:
  // Writes what `body` writes; fails as WriteFileAtomically does, leaving nothing behind.
  static Result<PendingOutput> Write(const std::string& path,
                                     const std::function<Status(std::FILE*)>& body);
  // Opens `path` as Write does, before anything is written: "cannot write <path>: <reason>"
  // when it cannot be.
  static Result<PendingOutput> Open(const std::string& path);

  PendingOutput(PendingOutput&& other) noexcept;
  PendingOutput& operator=(PendingOutput&&) = delete;
  PendingOutput(const PendingOutput&) = delete;
  ~PendingOutput();

  // Where to write until Close(); null after it.
  std::FILE* file() const { return file_; }
  // Flushes and closes what was written ("cannot write <path>: <reason>" when a write, the flush
  // or the close failed, and what was written is removed). Calling it twice returns OK.
  Status Close();
  // Closes if need be, then puts the file in place ("cannot write <path>: <reason>" when the
  // rename fails, and the written file is removed). Calling it twice returns OK the second time.
  Status Commit();
  // Closes if need be and removes what was written, when it waits beside its path.
  void Discard();

 private:
  PendingOutput(std::string path, std::FILE* file, std::string tmp, std::string target)
      : path_(std::move(path)), file_(file), tmp_(std::move(tmp)), target_(std::move(target)) {}
  // The path, or "standard output" for "-".
  std::string Name() const;

  std::string path_;
  std::FILE* file_;  // open until Close(); stdout for "-"
  std::string tmp_;  // "" when nothing waits: written in place, committed or moved from
  std::string target_;
};

}  // namespace leadscore
