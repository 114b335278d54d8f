// RecordSource::Open (format by extension, compression by magic bytes), BlockParser::Create
// and FormatRowError. The formats themselves live in csv_* and jsonl_* files.
#include "ingest/record_source.h"

#include <algorithm>
#include <cctype>

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

}  // namespace

std::string FormatRowError(const RowError& error) {
  std::string out = error.file;
  if (error.line > 0) (out += ':') += std::to_string(error.line);
  out += ": ";
  if (!error.field.empty()) out += "field `" + error.field + "`: ";
  out += error.message;
  return out;
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

Result<std::unique_ptr<RecordSource>> RecordSource::Open(const std::string& path) {
  std::optional<Format> format = FormatFromPath(path);
  if (!format) {
    return Error(InvalidArgument(path + ": unknown file type (expected .csv, .jsonl or .ndjson, "
                                        "optionally followed by .gz)"));
  }
  LS_ASSIGN_OR_RETURN(std::unique_ptr<FileReader> reader, FileReader::Open(path));
  if (*format == Format::kCsv) return CsvSource::Open(path, std::move(reader));
  return JsonlSource::Open(path, std::move(reader));
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
