// CsvSource: header reading and quote-aware block cutting (see csv_source.h).
#include "ingest/csv_source.h"

#include <algorithm>
#include <cstring>

#include "ingest/byte_scan.h"
#include "ingest/csv_parser.h"

namespace leadscore::ingest {

char ChooseCsvDelimiter(std::string_view line) {
  if (line.find(',') != std::string_view::npos) return ',';
  auto semicolons = std::count(line.begin(), line.end(), ';');
  auto tabs = std::count(line.begin(), line.end(), '\t');
  if (semicolons == 0 && tabs == 0) return ',';
  return semicolons >= tabs ? ';' : '\t';
}

size_t FindCsvCut(std::string_view data, size_t target, char delimiter) {
  const char* const base = data.data();
  const char* const end = base + data.size();
  const char* const want = base + std::min(data.size(), target > 0 ? target - 1 : 0);
  const char* cur = base;  // outside any quoted field
  // From quote to quote, and no further than the newline that may end the block: `data` is the
  // rest of a memory-mapped file, and a search for the next quote over all of it (in a file
  // without quotes) made cutting a file into blocks quadratic: W1's 2 GB of CSV events took
  // 19 s rather than 4, with the whole file resident. Data without quotes costs two memchr
  // passes over the block. Measured with the read and copy (g++ -O3, 200 MB): ~1.25 GB/s on
  // unquoted event rows, ~700 MB/s on quote-dense rows (bank-additional-full.csv repeated). A
  // byte-at-a-time state machine did ~720 MB/s on both; event files matter more.
  for (;;) {
    const char* from = std::max(cur, want);
    const char* nl =
        from < end ? static_cast<const char*>(std::memchr(from, '\n', end - from)) : nullptr;
    // [cur, q) is outside quotes: a '\n' in it at or after `want` ends a record.
    const char* q = FindByte(cur, nl != nullptr ? nl : end, '"');
    if (q == nullptr)
      return nl != nullptr ? static_cast<size_t>(nl - base) + 1 : std::string_view::npos;
    // A quote opens a quoted field only at the start of a field; elsewhere it is a literal.
    bool field_start = q == base || q[-1] == delimiter || q[-1] == '\n';
    if (!field_start) {
      cur = q + 1;
      continue;
    }
    const char* s = q + 1;
    for (;;) {
      const char* c = FindByte(s, end, '"');
      if (c == nullptr || c + 1 == end) return std::string_view::npos;
      if (c[1] == '"') {  // a doubled quote inside the field
        s = c + 2;
        continue;
      }
      cur = c + 1;  // the closing quote
      break;
    }
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
  LS_RETURN_IF_ERROR(FillTo(3));
  if (pending().substr(0, 3) == "\xEF\xBB\xBF") Consume(3);
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
  size_t want = 4096;
  for (;;) {
    LS_RETURN_IF_ERROR(FillTo(want));
    size_t nl = pending().find('\n');
    if (nl != std::string_view::npos || at_eof()) {
      delimiter_ = ChooseCsvDelimiter(pending().substr(0, nl));
      break;
    }
    if (pending().size() > kMaxRecordBytes) {
      return InvalidArgument(path() + ":" + std::to_string(next_line()) +
                             ": the header line is too long");
    }
    want = pending().size() * 2;
  }
  const uint64_t header_line = next_line();
  LS_ASSIGN_OR_RETURN(size_t cut, FillToCut(1));
  if (!SplitCsvRecord(pending().substr(0, cut), delimiter_, header_)) {
    return InvalidArgument(path() + ":" + std::to_string(header_line) +
                           ": unterminated quoted field in the header");
  }
  for (const std::string& name : header_) {
    // Lines ended by a lone CR (classic Mac OS) would all read as one header line, and the
    // file as one with no rows: a failure says so rather than a run over nothing.
    if (name.find('\r') != std::string::npos) {
      return InvalidArgument(path() + ":" + std::to_string(header_line) +
                             ": the header holds a carriage return (\\r) that does not end the "
                             "line; lines that end with a lone \\r are not read as lines "
                             "(convert them: tr '\\r' '\\n')");
    }
  }
  Consume(cut);
  return Status::Ok();
}

}  // namespace leadscore::ingest
