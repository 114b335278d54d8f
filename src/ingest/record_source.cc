// RecordSource::Open (format by extension, compression by magic bytes), BlockParser::Create
// and FormatRowError. The formats themselves live in csv_* and jsonl_* files.
#include "ingest/record_source.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>

#include "core/printable.h"
#include "ingest/csv_parser.h"
#include "ingest/csv_source.h"
#include "ingest/file_reader.h"
#include "ingest/jsonl_parser.h"
#include "ingest/jsonl_source.h"

namespace leadscore::ingest {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Hands back the bytes read to tell a stream's format, then the rest of the stream.
class ReplayReader final : public FileReader {
 public:
  ReplayReader(std::unique_ptr<FileReader> inner, std::string head)
      : inner_(std::move(inner)), head_(std::move(head)) {}
  Result<size_t> Read(char* dst, size_t n) override {
    if (pos_ == head_.size()) return inner_->Read(dst, n);  // a failure in the head comes again
    const size_t take = std::min(n, head_.size() - pos_);
    std::memcpy(dst, head_.data() + pos_, take);
    pos_ += take;
    return take;
  }
  uint64_t file_size() const override { return inner_->file_size(); }
  bool compressed() const override { return inner_->compressed(); }

 private:
  std::unique_ptr<FileReader> inner_;
  std::string head_;
  size_t pos_ = 0;
};

// The format of a stream: JSON Lines when its first byte past a UTF-8 byte order mark and
// blanks is `{`, else CSV (a header). Reads up to that byte (at most 64 KB: a stream of blanks
// is CSV), which `reader` then hands back; a stream that trickles in is not waited on further.
Format SniffFormat(std::unique_ptr<FileReader>& reader) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  constexpr size_t kChunk = 4096, kMaxBytes = 64 << 10;
  std::string head;
  Format format = Format::kCsv;  // also of a stream of blanks, or of nothing
  for (;;) {
    std::string_view text = head;
    if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
    const size_t first = text.find_first_not_of(" \t\r\n");
    // A byte order mark still coming is not the first byte.
    const bool bom_coming = head.size() < kBom.size() && kBom.starts_with(head) && !head.empty();
    if (first != std::string_view::npos && !bom_coming) {
      format = text[first] == '{' ? Format::kJsonl : Format::kCsv;
      break;
    }
    if (head.size() >= kMaxBytes) break;
    const size_t have = head.size();
    head.resize(have + kChunk);
    auto got = reader->Read(head.data() + have, kChunk);
    head.resize(have + (got ? *got : 0));
    if (!got || *got == 0) break;  // a failure is the next Read's, after the head
  }
  reader = std::make_unique<ReplayReader>(std::move(reader), std::move(head));
  return format;
}

}  // namespace

std::string FormatRowError(const RowError& error) {
  std::string out = error.file;
  if (error.line > 0) (out += ':') += std::to_string(error.line);
  out += ": ";
  if (!error.field.empty()) out += "field `" + error.field + "`: ";
  out += error.message;
  // One problem, one line, whatever text of the input it quotes (an id with a line break in
  // it, an escape sequence that would clear a terminal).
  return Printable(out);
}

std::optional<Format> FormatFromPath(std::string_view path) {
  std::string lower(path);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view name = lower;
  if (EndsWith(name, ".gz")) name.remove_suffix(3);
  if (EndsWith(name, ".csv")) return Format::kCsv;
  if (EndsWith(name, ".jsonl") || EndsWith(name, ".ndjson")) return Format::kJsonl;
  return std::nullopt;
}

bool IsStream(const std::string& path) {
  struct stat st {};
  return path == "-" ||
         (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode));
}

Result<std::unique_ptr<RecordSource>> RecordSource::Open(const std::string& path) {
  const bool standard_input = path == "-";
  static std::atomic<bool> standard_input_opened = false;
  if (standard_input && standard_input_opened.exchange(true)) {
    // Read again, a file behind it would be read from its start; a pipe, from where it was left.
    return Error(InvalidArgument(
        "-: standard input can be read once, and this command reads it twice (or it was given "
        "twice); write it to a file and give the file"));
  }
  struct stat st {};
  if (!standard_input && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Error(InvalidArgument(path + ": is a directory, not a CSV or JSON Lines file"));
  }
  std::optional<Format> format = FormatFromPath(path);
  if (!format && !IsStream(path)) {
    // A path that cannot be opened says why (no such file, a symlink loop), not its name.
    if (::stat(path.c_str(), &st) != 0) {
      if (auto opened = FileReader::Open(path); !opened) return Error(opened.error());
    }
    return Error(InvalidArgument(path + ": unknown file type (expected .csv, .jsonl or .ndjson, "
                                        "optionally followed by .gz)"));
  }
  LS_ASSIGN_OR_RETURN(std::unique_ptr<FileReader> reader,
                      FileReader::Open(standard_input ? "/dev/stdin" : path));
  if (!format) format = SniffFormat(reader);
  std::string name = InputName(path);
  if (*format == Format::kCsv) return CsvSource::Open(std::move(name), std::move(reader));
  return JsonlSource::Open(std::move(name), std::move(reader));
}

std::unique_ptr<BlockParser> BlockParser::Create(const RecordSource& source,
                                                 std::vector<std::string> wanted_keys) {
  if (source.format() == Format::kCsv) {
    return std::make_unique<CsvParser>(source.path(), source.header(), source.delimiter(),
                                       std::move(wanted_keys));
  }
  return std::make_unique<JsonlParser>(source.path(), std::move(wanted_keys));
}

}  // namespace leadscore::ingest
