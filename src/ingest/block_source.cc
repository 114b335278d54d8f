// BlockSource: buffered reading and cutting at record boundaries (see block_source.h).
#include "ingest/block_source.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace leadscore::ingest {
namespace {

// Reads are at least this large: fewer syscalls, and a gzip stream inflates in big steps.
constexpr size_t kMinRead = size_t{1} << 20;
// Read this far beyond the target so a cut can usually be found without a second read.
constexpr size_t kSlack = size_t{64} << 10;
// A read buffer this large held a long record: it is not kept once that record is skipped.
constexpr size_t kLargeBuffer = size_t{64} << 20;

}  // namespace

size_t CountNewlines(const char* begin, const char* end) {
  size_t n = 0;
  const char* p = begin;
#if defined(__SSE2__)
  // 16 bytes per step: each '\n' subtracts 1 (0xFF) from its byte lane, and the lanes are summed
  // (psadbw) before any can wrap. About 4x faster than the 8-byte SWAR loop below, which cost
  // 3% of a W1 run (Next() counts the lines of every block, on the reading thread).
  const __m128i newline = _mm_set1_epi8('\n');
  __m128i total = _mm_setzero_si128();
  while (end - p >= 16) {
    __m128i lanes = _mm_setzero_si128();
    const char* stop = p + std::min<size_t>(static_cast<size_t>(end - p) / 16, 255) * 16;
    for (; p < stop; p += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(v, newline));
    }
    total = _mm_add_epi64(total, _mm_sad_epu8(lanes, _mm_setzero_si128()));
  }
  n += static_cast<size_t>(_mm_cvtsi128_si64(total)) +
       static_cast<size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(total, total)));
#endif
  // SWAR, 8 bytes per step: exact count of the bytes equal to '\n' in each word.
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7Full;
  constexpr uint64_t kNewlines = 0x0A0A0A0A0A0A0A0Aull;
  for (; end - p >= 8; p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    uint64_t x = word ^ kNewlines;                      // zero bytes where '\n' was
    uint64_t y = ~(((x & kLow7) + kLow7) | x | kLow7);  // 0x80 exactly in the zero bytes
    n += static_cast<size_t>(((y >> 7) * 0x0101010101010101ull) >> 56);  // no popcnt in x86-64
  }
  for (; p < end; ++p) n += *p == '\n';
  return n;
}

BlockSource::BlockSource(std::string path, std::unique_ptr<FileReader> reader)
    : path_(std::move(path)), reader_(std::move(reader)) {}

std::string BlockSource::SpareBuffer(size_t size) {
  std::string out;
  if (!spare_.empty()) {
    out = std::move(spare_.back());
    spare_.pop_back();
  }
  // A recycled Block keeps its bytes, so growing it back to its capacity zeroes only what lies
  // past them; one too small is emptied first, so that its bytes are not copied on the way.
  if (out.capacity() < size) out.clear();
  out.resize(std::max(size, out.capacity()));
  return out;
}

Status BlockSource::FillTo(size_t n) {
  while (end_ - begin_ < n && !eof_) {
    const size_t capacity = buf_.size();
    if (capacity - end_ < kMinRead) {
      // Move the pending bytes to the front, growing the buffer when they fill half of it.
      size_t pending = end_ - begin_;
      size_t want = std::max({n, pending + kMinRead, capacity});
      if (want > capacity || pending * 2 > capacity) want = std::max(want, capacity * 2);
      if (want > capacity) {
        std::string grown = SpareBuffer(want);
        if (pending > 0) std::memcpy(grown.data(), buf_.data() + begin_, pending);
        buf_ = std::move(grown);
      } else if (begin_ > 0) {
        std::memmove(buf_.data(), buf_.data() + begin_, pending);
      }
      begin_ = 0;
      end_ = pending;
    }
    Result<size_t> got = reader_->Read(buf_.data() + end_, buf_.size() - end_);
    if (!got) {
      if (got.error().code() != StatusCode::kDataLoss) return got.error();
      // The reader's messages start with the path, which the report gives already.
      std::string_view why = got.error().message();
      if (why.starts_with(path_ + ": ")) why.remove_prefix(path_.size() + 2);
      read_error_ = std::string(why);
      eof_ = true;
      break;
    }
    if (*got == 0) eof_ = true;
    end_ += *got;
  }
  return Status::Ok();
}

Result<size_t> BlockSource::FillToCut(size_t target) {
  target = std::max<size_t>(target, 1);
  size_t need = target + kSlack;
  for (;;) {
    LS_RETURN_IF_ERROR(FillTo(need));
    const size_t cut = FindCut(pending(), target);
    const size_t bound = max_record_bytes_ + target;
    if (cut != std::string_view::npos && cut <= bound) return cut;
    // The record open at `target` ends past the bound, or has not ended within it: the whole
    // records before it go first, then it is skipped.
    if (cut != std::string_view::npos || pending().size() > bound) return LastRecordEnd(cut);
    if (eof_) return pending().size();
    // Geometric, so rescanning from the start stays linear; no further than the bound needs.
    need = std::min(pending().size() * 2, max_record_bytes_ + target + 1);
  }
}

size_t BlockSource::LastRecordEnd(size_t before) const {
  // Record by record: only the long record's own scan is long.
  size_t last = 0;
  for (;;) {
    const size_t cut = FindCut(pending().substr(last), 1);
    if (cut == std::string_view::npos || last + cut >= before) {
      return last == 0 ? std::string_view::npos : last;
    }
    last += cut;
  }
}

Result<std::optional<Block>> BlockSource::SkipLongRecord() {
  const uint64_t line = next_line_;
  // Through its end when that was read; else all that is pending, and the rest of the line it
  // reaches.
  const size_t end = FindCut(pending(), 1);
  bool line_ended = end != std::string_view::npos;
  Consume(line_ended ? end : pending().size());
  while (!line_ended) {
    if (pending().empty()) {
      if (eof_) break;
      LS_RETURN_IF_ERROR(FillTo(kMinRead));
      continue;
    }
    const size_t newline = pending().find('\n');
    line_ended = newline != std::string_view::npos;
    Consume(line_ended ? newline + 1 : pending().size());
  }
  if (buf_.size() > kLargeBuffer) {
    // Lets go of the buffer grown to hold the record.
    std::string smaller(std::max(end_ - begin_, kMinRead) + kMinRead, '\0');
    std::memcpy(smaller.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    buf_ = std::move(smaller);
  }
  const uint64_t last_line = line_ended ? next_line_ - 1 : next_line_;
  const std::string bound = BoundText();
  std::string why = last_line == line
                        ? "this line is longer than " + bound
                        : "a record longer than " + bound + " (an unclosed quote?) over lines " +
                              std::to_string(line) + "-" + std::to_string(last_line);
  std::optional<Block> block(std::in_place);
  block->first_line = line;
  block->index = next_index_++;
  block->read_error = RowError{path_, line, "", std::move(why)};
  return block;
}

std::string BlockSource::BoundText() const {
  constexpr size_t kMiB = size_t{1} << 20;
  return max_record_bytes_ % kMiB == 0 ? std::to_string(max_record_bytes_ / kMiB) + " MiB"
                                       : std::to_string(max_record_bytes_) + " bytes";
}

Status BlockSource::SkipByteOrderMark() {
  LS_RETURN_IF_ERROR(FillTo(4));
  const std::string_view start = pending().substr(0, 4);
  if (start.starts_with("\xEF\xBB\xBF")) {
    Consume(3);
    return Status::Ok();
  }
  const bool utf32 =
      start == std::string_view("\xFF\xFE\0\0", 4) || start == std::string_view("\0\0\xFE\xFF", 4);
  if (utf32 || start.starts_with("\xFF\xFE") || start.starts_with("\xFE\xFF")) {
    const char* encoding = utf32 ? "UTF-32" : "UTF-16";
    return InvalidArgument(path_ + ":1: the file is " + encoding +
                           " (it starts with that byte order mark); leadscore reads UTF-8: "
                           "convert it first, e.g. iconv -f " +
                           encoding + " -t UTF-8");
  }
  return Status::Ok();
}

void BlockSource::Consume(size_t n) {
  const char* p = buf_.data() + begin_;
  next_line_ += CountNewlines(p, p + n);
  bytes_read_ += n;
  begin_ += n;
}

Result<std::optional<Block>> BlockSource::Next(size_t target_bytes) {
  LS_ASSIGN_OR_RETURN(size_t cut, FillToCut(target_bytes));
  if (cut == std::string_view::npos) return SkipLongRecord();
  std::optional<RowError> read_error;
  if (read_error_ && cut == pending().size()) {
    // The last Block of an input that ended early: it keeps the whole lines only.
    const size_t whole = pending().substr(0, cut).rfind('\n') + 1;  // npos + 1 == 0
    const uint64_t line = next_line_ + CountNewlines(pending().data(), pending().data() + whole);
    std::string message = "the input ends early (" + *read_error_ + "): ";
    message += whole == cut ? "every line before this one was read"
                            : "this incomplete line was skipped; every line before it was read";
    read_error = RowError{path_, line, "", std::move(message), /*is_row=*/whole != cut};
    read_error_.reset();
    end_ = begin_ + whole;  // drops the incomplete line (it holds no '\n' to count)
    cut = whole;
    if (cut == 0) {  // nothing whole left: a Block of no bytes carries the report
      std::optional<Block> block(std::in_place);
      block->first_line = next_line_;
      block->index = next_index_++;
      block->read_error = std::move(read_error);
      return block;
    }
  }
  if (cut == 0) return std::optional<Block>();
  std::optional<Block> block(std::in_place);
  block->first_line = next_line_;
  block->index = next_index_++;
  block->read_error = std::move(read_error);
  // Room for simdjson's padding: the JSON Lines parser reads lines in place (and copies a
  // Block that lacks it).
  const size_t tail = end_ - cut;
  if (begin_ == 0 && tail <= cut / 4 && buf_.size() - cut >= simdjson::SIMDJSON_PADDING) {
    // The read buffer becomes the Block; the bytes past the cut move to a spare buffer. That
    // copies tens of KB a block rather than the 4 MB of the block (the copy was 2.5% of a W1
    // run's CPU, the kernel's copy into the read buffer aside). Small Blocks, whose tail is
    // the larger part, are copied as before.
    std::string next = SpareBuffer(std::max(buf_.size(), tail + kMinRead));
    if (tail > 0) std::memcpy(next.data(), buf_.data() + cut, tail);
    Consume(cut);
    block->bytes = std::move(buf_);
    block->bytes.resize(cut);
    buf_ = std::move(next);
    begin_ = 0;
    end_ = tail;
    return block;
  }
  block->bytes = CopyOfPending(cut);
  Consume(cut);
  return block;
}

std::string BlockSource::CopyOfPending(size_t cut) {
  std::string out;
  if (!spare_.empty()) {
    out = std::move(spare_.back());
    spare_.pop_back();
  }
  out.clear();
  out.reserve(cut + simdjson::SIMDJSON_PADDING);
  out.assign(pending().data(), cut);
  return out;
}

void BlockSource::Recycle(Block&& block) {
  // Kept with their bytes: SpareBuffer zeroes only what lies past them when it grows one back.
  if (spare_.size() < 8 && block.bytes.capacity() > 0) spare_.push_back(std::move(block.bytes));
}

}  // namespace leadscore::ingest
