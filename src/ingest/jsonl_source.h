// JsonlSource: a RecordSource over a JSON Lines file; Blocks end just after a '\n'.
// A UTF-8 BOM at the start of the file is dropped (a UTF-16 or UTF-32 one refused). Not thread-safe
// (see RecordSource).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/block_source.h"

namespace leadscore::ingest {

class JsonlSource final : public BlockSource {
 public:
  static Result<std::unique_ptr<RecordSource>> Open(std::string path,
                                                    std::unique_ptr<FileReader> reader);

  Format format() const override { return Format::kJsonl; }
  const std::vector<std::string>& header() const override { return header_; }
  char delimiter() const override { return '\n'; }

 protected:
  size_t FindCut(std::string_view data, size_t target) const override;

 private:
  JsonlSource(std::string path, std::unique_ptr<FileReader> reader);

  std::vector<std::string> header_;  // always empty
};

}  // namespace leadscore::ingest
