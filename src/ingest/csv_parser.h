// CsvParser: the BlockParser for CSV. Turns the records of one Block into rows of cell Values.
//
// Grammar (RFC 4180, read leniently where the RFC says nothing):
//   - A record ends at '\n' or "\r\n" outside quotes, or at the end of the input. A physical
//     line that is empty (or holds only "\r") is blank and skipped; "  " is a one-cell record.
//   - A field that starts with '"' is quoted: it runs to the next '"' not followed by another
//     '"'; a doubled quote "" inside it is one '"'; delimiters, '\n' and "\r\n" inside it are
//     kept as written.
//   - Text after a quoted field's closing quote, up to the next delimiter or line end, is kept
//     literally and appended ("ab"cd gives abcd). A '"' anywhere other than at the start of a
//     field is a literal character (ab"c gives ab"c). A lone '\r' not before '\n' is data.
//   - An empty cell is null, and so is a quoted empty cell "" (SCORING.md: an empty cell is
//     null; a CSV file cannot tell "no value" from "empty text" reliably).
//   - A record whose cell count differs from the header's is a RowError
//     "expected N cells, found M"; a quoted field still open at the end of the input, or
//     kMaxQuotedBytes after its opening quote, is a RowError "unterminated quoted field", and
//     only the first line of its record is skipped: the next lines are read as records again.
//     Both are reported at the record's first line.
// Cells view the Block; a cell with a doubled quote or text after its closing quote is
// unescaped into per-slot scratch owned by the parser. Not thread-safe; one parser per thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/value.h"
#include "ingest/record_source.h"

namespace leadscore::ingest {

// A quoted field closes within this many bytes of its opening quote, or it is unterminated. The
// block cut (FindCsvCut) follows the same rule, so that a stray opening quote in a large file
// costs its record, not a block holding the rest of the file (or, past 256 MiB, the run).
inline constexpr size_t kMaxQuotedBytes = size_t{64} << 20;

class CsvParser final : public BlockParser {
 public:
  // `header`: the column names; `wanted_keys[i]` is read from the first column with that name,
  // and is always null when no column has it.
  CsvParser(std::string file, const std::vector<std::string>& header, char delimiter,
            std::vector<std::string> wanted_keys);

  void Parse(const Block& block, RowSink& sink) override;

  // For tests of the rule with small fields; blocks must then be cut with the same bound.
  void set_max_quoted_bytes(size_t bytes) { max_quoted_ = bytes; }

 private:
  // The header's name of the first cell of the record [begin, end) that is not valid UTF-8,
  // or "" (for the report of a record that is not).
  std::string FirstCellNotUtf8(const char* begin, const char* end) const;

  std::string file_;
  std::vector<std::string> header_;
  char delimiter_;
  size_t column_count_;
  std::vector<int> column_slot_;                      // column -> first wanted slot, or -1
  std::vector<std::pair<int, int>> duplicate_slots_;  // (source slot, copy slot) for repeats
  std::vector<Value> values_;
  std::vector<std::string> scratch_;  // per slot, for unescaped cells
  bool is_stop_[256] = {};            // the delimiter and '\n'
  size_t max_quoted_ = kMaxQuotedBytes;
};

// Splits one record (`record` may end with its line end) into unescaped cells, empty cells as
// empty strings. Returns false when a quoted field is not closed.
bool SplitCsvRecord(std::string_view record, char delimiter, std::vector<std::string>& cells);

}  // namespace leadscore::ingest
