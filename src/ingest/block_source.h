// BlockSource: the part of every RecordSource that reads a file and cuts it into Blocks.
//
// It owns the FileReader and one read buffer; a subclass says only where records end
// (FindCut). Invariants:
//   1. pending() always starts on a record boundary (or at the first byte of the file).
//   2. next_line_ is the physical line number of pending()'s first byte.
//   3. A Block is handed out whole: it ends just after a record's '\n', or at the end of the input.
// Not thread-safe: one thread calls Next(); the Blocks it returns are independent values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/file_reader.h"
#include "ingest/record_source.h"

namespace leadscore::ingest {

// The longest record read. A record whose end is not found within this many bytes past the
// target of its block (see Next) is skipped to the end of the line where it passes the bound,
// and reported like a bad row, rather than growing the buffer without bound (a line with no
// newline, a file of binary bytes).
inline constexpr size_t kMaxRecordBytes = size_t{256} << 20;

class BlockSource : public RecordSource {
 public:
  const std::string& path() const override { return path_; }
  Result<std::optional<Block>> Next(size_t target_bytes) override;
  void Recycle(Block&& block) override;
  uint64_t bytes_read() const override { return bytes_read_; }
  uint64_t file_size() const override { return reader_->file_size(); }
  void set_max_record_bytes(size_t bytes) override { max_record_bytes_ = bytes; }

 protected:
  BlockSource(std::string path, std::unique_ptr<FileReader> reader);

  // Returns the offset just past the first record end at or after offset `target` - 1 of `data`
  // (so the cut is >= target bytes), or npos when no record ends there in `data`.
  // REQUIRES: `data` starts on a record boundary; target >= 1.
  virtual size_t FindCut(std::string_view data, size_t target) const = 0;

  // Reads until pending() holds at least `n` bytes or the input ends. A kDataLoss from the
  // reader (a truncated or corrupt gzip stream, a read error) ends the input early rather than
  // failing, so that the whole lines before it are still read; Next() reports it.
  Status FillTo(size_t n);
  // Reads until FindCut(pending(), target) finds a cut, returning it, or until the input ends,
  // returning pending().size(). When the record open at `target` ends past the bound (see
  // kMaxRecordBytes), or has not ended within it, returns the end of the last whole record
  // before it, or npos when it is the first pending one. Fails on I/O errors.
  Result<size_t> FillToCut(size_t target);
  std::string_view pending() const { return {buf_.data() + begin_, end_ - begin_}; }
  bool at_eof() const { return eof_; }
  // Drops a UTF-8 byte order mark at the start of the input; refuses the input when it starts
  // with a UTF-16 or UTF-32 one (its bytes would read as text with a NUL every other byte).
  Status SkipByteOrderMark();
  // Drops the first `n` pending bytes (a BOM, a header, blank lines), counting their lines.
  void Consume(size_t n);
  uint64_t next_line() const { return next_line_; }
  // The bound on a record as a message names it: "256 MiB".
  std::string BoundText() const;

 private:
  std::string path_;
  // The end of the last whole record in pending() that ends before offset `before`, or npos
  // when none does.
  size_t LastRecordEnd(size_t before) const;
  // Drops the record at the start of pending(), which passes the bound, through its end when
  // that was read, else up to the end of the line where it passes the bound; returns a Block
  // of no bytes whose read_error reports it.
  Result<std::optional<Block>> SkipLongRecord();
  // Takes a recycled buffer (or a new one) of at least `size` bytes, its size set to it.
  std::string SpareBuffer(size_t size);
  // The next `cut` pending bytes in a recycled buffer (or a new one), with room for the padding.
  std::string CopyOfPending(size_t cut);

  std::unique_ptr<FileReader> reader_;
  // The read buffer: its size is its usable capacity; pending bytes are buf_[begin_, end_).
  // Next() hands it over as the Block when the Block starts at its first byte, and carries on
  // in a spare buffer with the bytes past the cut, so that a Block's bytes are not copied.
  std::string buf_;
  // Storage of blocks handed back by Recycle, reused by Next. A fresh 4 MiB block costs page
  // faults and zeroing: 9% of all CPU time when scoring W1 (1M leads, 30M events).
  std::vector<std::string> spare_;
  size_t begin_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  // Why the input ended early (FillTo met a kDataLoss from the reader), until Next() hands it
  // over on the last Block.
  std::optional<std::string> read_error_;
  uint64_t next_line_ = 1;
  uint64_t bytes_read_ = 0;
  uint64_t next_index_ = 0;
  size_t max_record_bytes_ = kMaxRecordBytes;
};

// Number of '\n' bytes in [begin, end).
size_t CountNewlines(const char* begin, const char* end);

}  // namespace leadscore::ingest
