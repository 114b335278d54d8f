// JsonlSource: cutting JSON Lines at line ends (see jsonl_source.h).
#include "ingest/jsonl_source.h"

#include <cstring>

namespace leadscore::ingest {

JsonlSource::JsonlSource(std::string path, std::unique_ptr<FileReader> reader)
    : BlockSource(std::move(path), std::move(reader)) {}

Result<std::unique_ptr<RecordSource>> JsonlSource::Open(std::string path,
                                                        std::unique_ptr<FileReader> reader) {
  std::unique_ptr<JsonlSource> source(new JsonlSource(std::move(path), std::move(reader)));
  LS_RETURN_IF_ERROR(source->SkipByteOrderMark());
  return std::unique_ptr<RecordSource>(std::move(source));
}

size_t JsonlSource::FindCut(std::string_view data, size_t target) const {
  if (target > data.size()) return std::string_view::npos;
  const char* from = data.data() + target - 1;
  const char* nl =
      static_cast<const char*>(std::memchr(from, '\n', data.data() + data.size() - from));
  return nl == nullptr ? std::string_view::npos : static_cast<size_t>(nl - data.data()) + 1;
}

}  // namespace leadscore::ingest
