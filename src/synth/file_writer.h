// FileWriter: buffered, append-only output of generated text files, with fast formatting of the
// few shapes the generator writes (integers, padded ids, ISO times, CSV fields).
//
// Owns its output and a 1 MiB buffer; flushes in large writes. Errors are sticky: the first
// failed write is remembered and reported by Finish(). The file is written as PendingOutput
// writes one (beside its path, renamed into place by Commit(); a link's target is what is
// replaced, a device is written in place), so that a full disk or a failed run never leaves a
// truncated file that reads as a smaller valid one. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/output_file.h"
#include "core/status.h"

namespace leadscore::synth {

class FileWriter {
 public:
  // Starts `path` (written beside it until Commit). Fails with kInvalidArgument naming the path
  // and the OS reason.
  static Result<std::unique_ptr<FileWriter>> Open(const std::string& path);

  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  void Append(std::string_view text) {
    if (text.size() > kCapacity - size_) FlushBuffer();
    if (text.size() > kCapacity) {
      WriteThrough(text);
      return;
    }
    text.copy(buffer_.get() + size_, text.size());
    size_ += text.size();
  }
  void Append(char c) {
    if (size_ == kCapacity) FlushBuffer();
    buffer_[size_++] = c;
  }
  // Decimal digits of `v`, left-padded with zeros to `min_width`. REQUIRES: min_width <= 20.
  void AppendUint(uint64_t v, int min_width = 0);
  // `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds `seconds`.
  void AppendIsoSeconds(int64_t seconds);
  // A CSV cell per RFC 4180: quoted, with quotes doubled, only when it holds `,` `"` CR or LF.
  void AppendCsvField(std::string_view text);

  // Bytes appended so far.
  uint64_t bytes_written() const { return flushed_ + size_; }

  // Flushes and closes the file, which waits beside its path for Commit; returns the first error
  // met (kDataLoss with the path and the OS reason), having removed what was written, or OK.
  Status Finish();
  // Finishes the file if need be and puts it in place at its path (errors as Finish). Calling
  // it twice returns OK the second time. A writer dropped without Commit() removes what it
  // wrote, so that files written together (`generate`'s three) are put in place together or
  // not at all.
  Status Commit();

 private:
  static constexpr size_t kCapacity = size_t{1} << 20;

  FileWriter(std::string path, PendingOutput output);
  void FlushBuffer();
  void WriteThrough(std::string_view text);
  // Makes room for `n` bytes (n <= 64) and returns where to write them.
  char* Reserve(size_t n) {
    if (n > kCapacity - size_) FlushBuffer();
    return buffer_.get() + size_;
  }

  std::string path_;
  PendingOutput output_;
  std::FILE* file_;        // output_'s, until Finish()
  bool finished_ = false;  // closed, waiting for Commit
  std::unique_ptr<char[]> buffer_;
  size_t size_ = 0;
  uint64_t flushed_ = 0;
  std::string error_;
};

}  // namespace leadscore::synth
