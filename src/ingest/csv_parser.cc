// CsvParser: see csv_parser.h for the grammar. The hot loop is ScanRecord; it is shared with
// SplitCsvRecord (the header) so the two can never disagree.
//
// Speed (g++ 12 -O3, one core, 200 MB, 5 wanted keys): ~1.7 GB/s on unquoted event rows,
// ~1.2 GB/s on quote-dense rows (bank-additional-full.csv repeated). Unquoted cells end at a
// 256-entry stop table; quoted ones at FindByte (byte_scan.h).
#include "ingest/csv_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "ingest/byte_scan.h"
#include "ingest/line_ends.h"
#include "ingest/row_rules.h"

namespace leadscore::ingest {
namespace {

// One cell as it sits in the input.
struct CellText {
  const char* begin;  // the content (inside the quotes for a quoted field)
  const char* end;
  const char* tail_begin;  // text after a closing quote, kept literally (usually empty)
  const char* tail_end;
  bool doubled;  // the content holds "" pairs to unescape

  bool simple() const { return !doubled && tail_begin == tail_end; }
  bool empty() const { return begin == end && tail_begin == tail_end; }
};

void AppendCell(const CellText& cell, std::string& out) {
  if (!cell.doubled) {
    out.append(cell.begin, cell.end);
  } else {
    const char* p = cell.begin;
    while (p < cell.end) {
      const char* q = static_cast<const char*>(std::memchr(p, '"', cell.end - p));
      if (q == nullptr) {
        out.append(p, cell.end);
        break;
      }
      out.append(p, q + 1);  // keeps one quote of the pair
      p = q + 2;
    }
  }
  out.append(cell.tail_begin, cell.tail_end);
}

// True when `p` is where a quoted field's closing quote may be followed: a delimiter, a line
// end ("\n", "\r\n", or "\r" at the end of the input) or the end of the input.
inline bool AtCellEnd(const char* p, const char* end, char delimiter) {
  return p == end || *p == delimiter || *p == '\n' ||
         (*p == '\r' && (p + 1 == end || p[1] == '\n'));
}

struct RecordScan {
  const char* next;  // first byte after the record and its line end
  size_t newlines;   // '\n' bytes consumed, including the record's own line end
  size_t cells;
  bool unterminated;
};

// Scans the record starting at `p` (not a blank line), calling on_cell(column, CellText) for
// each cell in order. A quoted field must close within `max_quoted` bytes of its opening quote.
template <class OnCell>
inline RecordScan ScanRecord(const char* p, const char* const end, const char delimiter,
                             const bool* is_stop, size_t max_quoted, OnCell&& on_cell) {
  RecordScan scan{end, 0, 0, false};
  for (;;) {  // one cell per iteration; p is at the cell's first byte (or at end)
    const size_t column = scan.cells++;
    if (p < end && *p == '"') {
      // The closing quote (or a doubled quote's first half) lies before `limit`.
      const char* const limit = static_cast<size_t>(end - p) > max_quoted ? p + max_quoted : end;
      const char* s = p + 1;
      const char* close;
      bool doubled = false;
      for (;;) {
        close = s < limit ? FindByte(s, limit, '"') : nullptr;
        if (close == nullptr || close + 1 == end || close[1] != '"') break;
        doubled = true;
        s = close + 2;
      }
      if (close == nullptr) {
        scan.unterminated = true;
        scan.newlines += CountByte(p, end, '\n');
        scan.next = end;
        return scan;
      }
      scan.newlines += CountByte(p + 1, close, '\n');
      const char* after = close + 1;
      const char* stop = after;
      const char* tail_end = after;
      if (!AtCellEnd(after, end, delimiter)) {  // text after the closing quote
        while (stop < end && !is_stop[static_cast<unsigned char>(*stop)]) ++stop;
        tail_end = stop;
        if (tail_end > after && tail_end[-1] == '\r' && (stop == end || *stop == '\n')) {
          --tail_end;
        }
      }
      on_cell(column, CellText{p + 1, close, after, tail_end, doubled});
      p = stop;
    } else {
      const char* e = p;
      while (e < end && !is_stop[static_cast<unsigned char>(*e)]) ++e;
      const char* cell_end = e;
      if (cell_end > p && cell_end[-1] == '\r' && (e == end || *e == '\n')) --cell_end;
      on_cell(column, CellText{p, cell_end, cell_end, cell_end, false});
      p = e;
    }
    // p is at a delimiter, a line end or the end.
    if (p < end && *p == delimiter) {
      ++p;
      continue;
    }
    if (p < end && *p == '\r') ++p;
    if (p < end) {  // the '\n'
      ++p;
      ++scan.newlines;
    }
    scan.next = p;
    return scan;
  }
}

// Skips a blank line at p ("\n", "\r\n", or "\r" at the end). Returns p when there is none.
inline const char* SkipBlankLine(const char* p, const char* end) {
  if (*p == '\n') return p + 1;
  if (*p == '\r') {
    if (p + 1 == end) return p + 1;
    if (p[1] == '\n') return p + 2;
  }
  return p;
}

}  // namespace

CsvParser::CsvParser(std::string file, const std::vector<std::string>& header, char delimiter,
                     std::vector<std::string> wanted_keys)
    : file_(std::move(file)),
      header_(header),
      delimiter_(delimiter),
      column_count_(header.size()),
      column_slot_(header.size(), -1),
      values_(wanted_keys.size()),
      scratch_(wanted_keys.size()) {
  // A column named twice: the last one counts, as a key given twice in JSON. By name rather
  // than a search of the header per key, which took seconds for a table of 50,000 columns.
  std::unordered_map<std::string_view, size_t> column_of;
  column_of.reserve(header.size());
  for (size_t column = 0; column < header.size(); ++column) column_of[header[column]] = column;
  for (size_t slot = 0; slot < wanted_keys.size(); ++slot) {
    auto found = column_of.find(wanted_keys[slot]);
    if (found == column_of.end()) continue;
    const size_t column = found->second;
    if (column_slot_[column] < 0) {
      column_slot_[column] = static_cast<int>(slot);
    } else {
      duplicate_slots_.emplace_back(column_slot_[column], static_cast<int>(slot));
    }
  }
  is_stop_[static_cast<unsigned char>(delimiter)] = true;
  is_stop_[static_cast<unsigned char>('\n')] = true;
}

void CsvParser::Parse(const Block& block, RowSink& sink) {
  const char* p = block.text().data();
  const char* const end = p + block.text().size();
  uint64_t line = block.first_line;
  const int* const column_slot = column_slot_.data();
  const size_t slotted_columns = column_slot_.size();
  Value* const values = values_.data();
  // Input is UTF-8 (SCORING.md), and a string that is not would make the JSON output invalid.
  // The whole block is checked at once (SIMD, a small part of a parse); only a block that
  // fails is checked record by record, to skip the records at fault.
  const bool valid_utf8 = simdjson::validate_utf8(p, static_cast<size_t>(end - p));
  while (p < end) {
    const char* after_blank = SkipBlankLine(p, end);
    if (after_blank != p) {
      p = after_blank;
      ++line;
      continue;
    }
    std::fill(values_.begin(), values_.end(), Value());
    // The first quoted cell that runs over lines and has text after its closing quote, and
    // the first that has such text on one line ("IT" x), with the value read from it.
    size_t stray_quote_column = SIZE_MAX;
    size_t tail_column = SIZE_MAX;
    std::string tail_value;
    RecordScan scan = ScanRecord(
        p, end, delimiter_, is_stop_, max_quoted_, [&](size_t column, const CellText& cell) {
          if (cell.tail_begin != cell.tail_end) [[unlikely]] {
            if (std::memchr(cell.begin, '\n', static_cast<size_t>(cell.end - cell.begin))) {
              if (stray_quote_column == SIZE_MAX) stray_quote_column = column;
            } else if (tail_column == SIZE_MAX) {
              tail_column = column;
              AppendCell(cell, tail_value);
            }
          }
          if (column >= slotted_columns) return;
          const int slot = column_slot[column];
          if (slot < 0 || cell.empty()) return;
          if (cell.simple()) {
            values[slot] = Value::String(std::string_view(cell.begin, cell.end - cell.begin));
          } else {
            std::string& scratch = scratch_[slot];
            scratch.clear();
            AppendCell(cell, scratch);
            if (!scratch.empty()) values[slot] = Value::String(scratch);
          }
        });
    const uint64_t record_line = line;
    if (scan.unterminated) {
      // A quote that never closes would take every line after it into one bad record: only
      // its own line is skipped, and the next lines are read as records again.
      sink.OnError(RowError{file_, record_line, "", "unterminated quoted field"});
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      p = nl != nullptr ? nl + 1 : end;
      ++line;
      continue;
    }
    line += scan.newlines;
    const char* const record_begin = p;
    p = scan.next;
    if (!valid_utf8 &&
        !simdjson::validate_utf8(record_begin, static_cast<size_t>(scan.next - record_begin))) {
      sink.OnError(RowError{file_, record_line, FirstCellNotUtf8(record_begin, scan.next),
                            "not valid UTF-8 (a file in another encoding, such as Latin-1, can "
                            "be converted: iconv -f latin1 -t utf-8)"});
      continue;
    }
    // Where the record ends and on which line, for reports only: counted then, not per row.
    const char* record_end = scan.next;
    if (record_end > record_begin && record_end[-1] == '\n') {
      --record_end;
      if (record_end > record_begin && record_end[-1] == '\r') --record_end;  // CRLF
    }
    auto last_line = [&] {
      return record_line + static_cast<uint64_t>(std::count(record_begin, record_end, '\n'));
    };
    if (scan.cells != column_count_) {
      std::string message = "expected " + std::to_string(column_count_) +
                            (column_count_ == 1 ? " cell, found " : " cells, found ") +
                            std::to_string(scan.cells);
      // Why a record has cells it should not: lines read into one by a quote that opened on
      // the first of them, or lines ended by a lone CR (classic Mac OS), which end no line.
      if (const uint64_t last = last_line(); last != record_line) {
        message += fmt::format(
            " in lines {}-{}, read as one record because a quoted cell runs over them (a stray "
            "quote?)",
            record_line, last);
      }
      if (HoldsLoneCarriageReturn(record_begin, record_end)) {
        message += std::string("; ") + kLoneCarriageReturn;
      }
      sink.OnError(RowError{file_, record_line, "", std::move(message)});
      continue;
    }
    if (stray_quote_column != SIZE_MAX) {
      // A,"IT / B,Retail / C,"x": a stray opening quote met a quote lines later, and the lines
      // between went into one cell. It is read that way, as RFC 4180 readers (Python's csv
      // among them) read it: the lines cannot be read again without making the records
      // depend on where the input was cut into blocks. But they are not lost silently.
      const uint64_t last = last_line();
      sink.OnWarning(RowError{
          file_, record_line,
          stray_quote_column < header_.size() ? header_[stray_quote_column] : "",
          fmt::format("a quoted cell runs over lines {}-{} and has text after its closing quote "
                      "(a stray quote?): {} read into it",
                      record_line, last,
                      last == record_line + 1
                          ? fmt::format("line {} was", last)
                          : fmt::format("lines {}-{} were", record_line + 1, last))});
    } else if (tail_column != SIZE_MAX) {
      // A,"IT" x: RFC 4180 has nothing after a closing quote. Read as Python's csv reads it
      // (the text appended), but said: a hand-edited cell is likely not what was meant.
      sink.OnWarning(
          RowError{file_, record_line, tail_column < header_.size() ? header_[tail_column] : "",
                   fmt::format("a quoted cell has text after its closing quote; read as \"{}\"",
                               Shown(Value::String(tail_value)))});
    }
    for (auto [from, to] : duplicate_slots_) values[to] = values[from];
    sink.OnRow(record_line, values_);
  }
  if (block.read_error) sink.OnError(*block.read_error);
}

std::string CsvParser::FirstCellNotUtf8(const char* begin, const char* end) const {
  std::string name;
  ScanRecord(
      begin, end, delimiter_, is_stop_, max_quoted_, [&](size_t column, const CellText& cell) {
        if (!name.empty() || column >= header_.size()) return;
        if (!simdjson::validate_utf8(cell.begin, static_cast<size_t>(cell.end - cell.begin)) ||
            !simdjson::validate_utf8(cell.tail_begin,
                                     static_cast<size_t>(cell.tail_end - cell.tail_begin))) {
          name = header_[column];
        }
      });
  return name;
}

bool SplitCsvRecord(std::string_view record, char delimiter, std::vector<std::string>& cells) {
  cells.clear();
  if (record.empty()) return true;
  bool is_stop[256] = {};
  is_stop[static_cast<unsigned char>(delimiter)] = true;
  is_stop[static_cast<unsigned char>('\n')] = true;
  RecordScan scan = ScanRecord(record.data(), record.data() + record.size(), delimiter, is_stop,
                               kMaxQuotedBytes, [&](size_t, const CellText& cell) {
                                 cells.emplace_back();
                                 AppendCell(cell, cells.back());
                               });
  return !scan.unterminated;
}

}  // namespace leadscore::ingest
