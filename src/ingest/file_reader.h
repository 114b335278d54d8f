// FileReader: the bytes of one input file, plain or gzip-compressed, read sequentially.
//
// Open() sniffs the gzip magic (1f 8b) itself, so a compressed file is read correctly whatever
// its name; a file named .gz without it (another compression, stray bytes) is refused. A gzip file
// may hold several concatenated members (as `cat a.gz b.gz` makes); they are read as one stream. A
// reader is used by one thread at a time and owns its descriptor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace leadscore::ingest {

// Whether `path`'s name ends in .gz, in any case (`E.JSONL.GZ`).
bool IsGzipName(std::string_view path);

class FileReader {
 public:
  // Opens `path` for reading: a file, or a pipe (standard input, `<(zcat f.gz)`). Fails with
  // kNotFound when it does not exist, kInvalidArgument when it cannot be opened (a directory,
  // no permission) or is a pipe this process opened before (what is left of it is not the
  // input).
  static Result<std::unique_ptr<FileReader>> Open(const std::string& path);
  virtual ~FileReader() = default;

  // Reads up to `n` bytes (decompressed) into `dst`. Returns the count, 0 only at the end of the
  // input. Fails with kDataLoss on a read error and on a gzip stream that ends before its
  // trailer (a truncated file), and with kInvalidArgument on a damaged gzip stream (a failed
  // data check, bytes that are not gzip); the bytes inflated before the failure are returned
  // first, and the failure by every call after them.
  virtual Result<size_t> Read(char* dst, size_t n) = 0;

  // Size of the file on disk (the compressed size for gzip).
  virtual uint64_t file_size() const = 0;
  virtual bool compressed() const = 0;
};

}  // namespace leadscore::ingest
