// CsvSource: a RecordSource over a CSV file. Reads the header in Open() and cuts the rest into
// Blocks that end on record boundaries, tracking quotes so a quoted field holding newlines is
// never split.
//
// The cut rule (FindCsvCut) and the parser (csv_parser.cc) must agree on where a quoted field
// starts and ends; both follow the state machine documented at the top of csv_parser.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/block_source.h"
#include "ingest/csv_parser.h"

namespace leadscore::ingest {

class CsvSource final : public BlockSource {
 public:
  // Reads the header of `reader`'s input: drops a UTF-8 BOM (refuses a UTF-16 or UTF-32
  // one), skips blank lines before it, picks
  // the delimiter (`,` unless the header line holds no comma but does hold `;` or a tab; the
  // more frequent of those two, `;` on a tie) and splits the first record into column names,
  // exactly as written (quotes removed, no trimming). An empty file gives an empty header and no
  // blocks. Fails with kInvalidArgument when the header has an unclosed quote.
  static Result<std::unique_ptr<RecordSource>> Open(std::string path,
                                                    std::unique_ptr<FileReader> reader);

  Format format() const override { return Format::kCsv; }
  const std::vector<std::string>& header() const override { return header_; }
  char delimiter() const override { return delimiter_; }
  std::vector<RowError> header_warnings() const override;
  uint64_t header_line() const override { return header_line_ ? header_line_ : 1; }

 protected:
  size_t FindCut(std::string_view data, size_t target) const override;

 private:
  CsvSource(std::string path, std::unique_ptr<FileReader> reader);
  Status ReadHeader();

  std::vector<std::string> header_;
  uint64_t header_line_ = 0;
  char delimiter_ = ',';
};

// Picks the delimiter from the header's first physical line (see CsvSource::Open).
char ChooseCsvDelimiter(std::string_view first_line);

// The offset just past the first record-ending '\n' at offset >= target - 1 in `data`, or npos
// when there is none yet (including when `data` ends inside a quoted field, or on a quote that
// may be the first half of a doubled quote). A quoted field not closed within `max_quoted`
// bytes of its opening quote is unterminated, as the parser reads it: the first line of its
// record ends a record. REQUIRES: `data` starts at a record boundary.
size_t FindCsvCut(std::string_view data, size_t target, char delimiter,
                  size_t max_quoted = kMaxQuotedBytes);

}  // namespace leadscore::ingest
