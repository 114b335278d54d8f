// CsvSource: header reading and quote-aware block cutting (see csv_source.h).
#include "ingest/csv_source.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <unordered_map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/number_list.h"
#include "core/utf8.h"
#include "ingest/byte_scan.h"
#include "ingest/csv_parser.h"
#include "ingest/line_ends.h"

namespace leadscore::ingest {

char ChooseCsvDelimiter(std::string_view line) {
  // Counted outside quotes: `Record ID;"Revenue (EUR, est.)"` is a header of two columns.
  size_t commas = 0, semicolons = 0, tabs = 0;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    commas += c == ',';
    semicolons += c == ';';
    tabs += c == '\t';
  }
  if (commas > 0 || (semicolons == 0 && tabs == 0)) return ',';
  return semicolons >= tabs ? ';' : '\t';
}

namespace {

// The bits of the bytes equal to `c` among the `n` (<= 16) bytes at `p`.
inline uint32_t ByteMask(const char* p, size_t n, char c) {
#if defined(__SSE2__)
  if (n == 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))));
  }
#endif
  uint32_t mask = 0;
  for (size_t i = 0; i < n; ++i) mask |= static_cast<uint32_t>(p[i] == c) << i;
  return mask;
}

struct Walk {
  size_t cut;                // as FindCsvCut's result, unless `unterminated` is set
  const char* unterminated;  // the opening quote of a field not closed within max_quoted bytes
};

// FindCsvCut from `p`, a quote outside any quoted field, on: the quotes and newlines of 16
// bytes at a time as bit masks, visited in order. Quote by quote with FindByte, a file whose
// every field is quoted spent 13% of a run in the cut, on the one thread that cuts blocks.
Walk WalkQuotes(const char* const base, const char* p, const char* const end,
                const char* const want, char delimiter, size_t max_quoted) {
  bool inside = false;
  bool skip_first = false;  // a doubled quote's second half opens the next 16 bytes
  const char* open = nullptr;
  // Inside a field, the bytes from `limit` on are past the bound: no quote there closes it.
  const char* limit = end;
  for (; p < end; p += 16) {
    if (inside && p >= limit) return {std::string_view::npos, open};
    const size_t n = std::min<size_t>(16, static_cast<size_t>(end - p));
    uint32_t quotes = ByteMask(p, n, '"');
    uint32_t newlines = ByteMask(p, n, '\n');
    if (p < want) {  // a newline before `want` ends no block
      const auto before = static_cast<size_t>(want - p);
      newlines &= before >= 16 ? 0 : ~((uint32_t{1} << before) - 1);
    }
    if (skip_first) quotes &= ~uint32_t{1};
    skip_first = false;
    for (uint32_t bits = quotes | newlines; bits != 0; bits &= bits - 1) {
      const int i = std::countr_zero(bits);
      const char* const c = p + i;
      if (inside && c >= limit) return {std::string_view::npos, open};
      if (*c == '\n') {
        if (!inside) return {static_cast<size_t>(c - base) + 1, nullptr};
      } else if (!inside) {
        // A quote opens a quoted field only at the start of a field; elsewhere it is a literal.
        inside = c == base || c[-1] == delimiter || c[-1] == '\n';
        if (inside) {
          open = c;
          limit = static_cast<size_t>(end - c) > max_quoted ? c + max_quoted : end;
        }
      } else if (c + 1 == end) {
        return {std::string_view::npos, nullptr};  // "" may follow
      } else if (c[1] == '"') {                    // a doubled quote inside the field
        if (i == 15) {
          skip_first = true;
        } else {
          bits &= ~(uint32_t{1} << (i + 1));
        }
      } else {
        inside = false;  // the closing quote
      }
    }
  }
  // Every byte up to the bound is here and none closed the field.
  if (inside && static_cast<size_t>(end - open) >= max_quoted)
    return {std::string_view::npos, open};
  return {std::string_view::npos, nullptr};
}

// Where the record holding the quote at `open` starts, from `from` (a record start) on: after
// the last newline outside a quoted field. Every quoted field before `open` closes.
const char* RecordStart(const char* from, const char* open, char delimiter) {
  const char* record = from;
  bool inside = false;
  for (const char* c = from; c < open; ++c) {
    if (inside) {
      if (*c == '"') {
        if (c[1] == '"') {
          ++c;
        } else {
          inside = false;
        }
      }
    } else if (*c == '"') {
      inside = c == from || c[-1] == delimiter || c[-1] == '\n';
    } else if (*c == '\n') {
      record = c + 1;
    }
  }
  return record;
}

}  // namespace

size_t FindCsvCut(std::string_view data, size_t target, char delimiter, size_t max_quoted) {
  const char* const base = data.data();
  const char* const end = base + data.size();
  const char* const want = base + std::min(data.size(), target > 0 ? target - 1 : 0);
  const char* from = base;  // a record start: no quoted field is open here
  for (;;) {
    // No quote before the first newline at or after `want`: the cut is there (two memchr passes
    // over the block). Only that far: `data` may be much longer than the block (when it was
    // the rest of a memory-mapped file, a search for the next quote over all of it, in a file
    // without quotes, made cutting the file into blocks quadratic: W1's 2 GB of CSV events
    // took 19 s rather than 3).
    const char* const scan_from = std::max(want, from);
    const char* nl = scan_from < end ? static_cast<const char*>(std::memchr(
                                           scan_from, '\n', static_cast<size_t>(end - scan_from)))
                                     : nullptr;
    const char* q = FindByte(from, nl != nullptr ? nl : end, '"');
    if (q == nullptr)
      return nl != nullptr ? static_cast<size_t>(nl - base) + 1 : std::string_view::npos;
    const Walk walk = WalkQuotes(base, q, end, want, delimiter, max_quoted);
    if (walk.unterminated == nullptr) return walk.cut;
    // A field that never closes: the parser skips the first line of its record and reads the
    // lines after it as records again (csv_parser.h). So does the cut.
    const char* const record = RecordStart(from, walk.unterminated, delimiter);
    const char* const line_end =
        static_cast<const char*>(std::memchr(record, '\n', static_cast<size_t>(end - record)));
    if (line_end == nullptr) return std::string_view::npos;
    if (line_end >= want) return static_cast<size_t>(line_end - base) + 1;
    from = line_end + 1;
  }
}

CsvSource::CsvSource(std::string path, std::unique_ptr<FileReader> reader)
    : BlockSource(std::move(path), std::move(reader)) {}

size_t CsvSource::FindCut(std::string_view data, size_t target) const {
  return FindCsvCut(data, target, delimiter_);
}

Result<std::unique_ptr<RecordSource>> CsvSource::Open(std::string path,
                                                      std::unique_ptr<FileReader> reader) {
  std::unique_ptr<CsvSource> source(new CsvSource(std::move(path), std::move(reader)));
  LS_RETURN_IF_ERROR(source->ReadHeader());
  return std::unique_ptr<RecordSource>(std::move(source));
}

Status CsvSource::ReadHeader() {
  LS_RETURN_IF_ERROR(SkipByteOrderMark());
  // Blank lines before the header are skipped like any other blank line.
  for (;;) {
    LS_RETURN_IF_ERROR(FillTo(2));
    std::string_view p = pending();
    if (p.substr(0, 1) == "\n") {
      Consume(1);
    } else if (p.substr(0, 2) == "\r\n" || p == "\r") {
      Consume(p.size() == 1 ? 1 : 2);
    } else {
      break;
    }
  }
  if (pending().empty()) return Status::Ok();  // an empty file: no columns, no rows
  // The delimiter comes from the first physical line, before quotes can be interpreted.
  // One line of no CSV (binary data, an export with no line ends); a quote open in it was cut
  // as unterminated kMaxQuotedBytes on (csv_parser.h), so it is never that.
  auto too_long = [&](uint64_t line) {
    return InvalidArgument(path() + ":" + std::to_string(line) + ": the header is longer than " +
                           BoundText() + " (is this a CSV file?)");
  };
  size_t want = 4096;
  for (;;) {
    LS_RETURN_IF_ERROR(FillTo(want));
    size_t nl = pending().find('\n');
    if (nl != std::string_view::npos || at_eof()) {
      delimiter_ = ChooseCsvDelimiter(pending().substr(0, nl));
      break;
    }
    if (pending().size() > kMaxRecordBytes) return too_long(next_line());
    want = pending().size() * 2;
  }
  const uint64_t header_line = header_line_ = next_line();
  LS_ASSIGN_OR_RETURN(size_t cut, FillToCut(1));
  if (cut == std::string_view::npos) return too_long(header_line);
  if (!SplitCsvRecord(pending().substr(0, cut), delimiter_, header_)) {
    return InvalidArgument(path() + ":" + std::to_string(header_line) +
                           ": unterminated quoted field in the header");
  }
  for (size_t i = 0; i < header_.size(); ++i) {
    const std::string& name = header_[i];
    // A name that is not UTF-8 could be neither matched nor printed (a JSON output, a trees
    // model's column list): the file is refused, as its rows would be.
    if (FirstInvalidUtf8(name) != std::string::npos) {
      return InvalidArgument(path() + ":" + std::to_string(header_line) + ": column " +
                             std::to_string(i + 1) +
                             " of the header is not valid UTF-8 (a file in another encoding, "
                             "such as Latin-1, can be converted: iconv -f latin1 -t utf-8)");
    }
    // Lines ended by a lone CR (classic Mac OS) would all read as one header line, and the
    // file as one with no rows: a failure says so rather than a run over nothing. A quoted
    // name over two lines of a CRLF file holds "\r\n", which is no lone CR.
    bool lone_cr = false;
    for (size_t at = name.find('\r'); at != std::string::npos && !lone_cr;
         at = name.find('\r', at + 1)) {
      lone_cr = at + 1 == name.size() || name[at + 1] != '\n';
    }
    if (lone_cr) {
      return InvalidArgument(path() + ":" + std::to_string(header_line) +
                             ": the header holds a carriage return (\\r) that does not end the "
                             "line; " +
                             kLoneCarriageReturn);
    }
  }
  Consume(cut);
  return Status::Ok();
}

std::vector<RowError> CsvSource::header_warnings() const {
  // The columns of each name, 1-based as a spreadsheet user counts them, names in the order
  // they first appear. Columns with no name (a spreadsheet's trailing ",,,") are read by no
  // model or table.
  std::unordered_map<std::string_view, size_t> group_of;
  std::vector<std::vector<size_t>> groups;
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i].empty()) continue;
    auto [it, added] = group_of.try_emplace(header_[i], groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(i + 1);
  }
  std::vector<RowError> warnings;
  for (const std::vector<size_t>& columns : groups) {
    if (columns.size() == 1) continue;
    const std::string list = NumberList(columns);
    const bool two = columns.size() == 2;
    std::string message = "columns " + list + (two ? " both" : "") + " have this name; column " +
                          std::to_string(columns.back()) + " is read and ";
    message += two ? "column " + std::to_string(columns[0]) + " ignored" : "the others ignored";
    warnings.push_back({path(), header_line_, header_[columns[0] - 1], std::move(message)});
  }
  return warnings;
}

}  // namespace leadscore::ingest
