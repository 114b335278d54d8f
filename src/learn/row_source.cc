#include "learn/row_source.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <unordered_set>

#include "core/number_list.h"
#include "ingest/row_rules.h"

namespace leadscore::learn {
namespace {

constexpr size_t kPadding = 64;  // simdjson reads up to this far past a line

// Text in memory handed out as one block.
class TextSource final : public ingest::RecordSource {
 public:
  TextSource(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {
    if (!text_.empty() && text_.back() != '\n') text_ += '\n';
  }
  ingest::Format format() const override { return ingest::Format::kJsonl; }
  const std::string& path() const override { return name_; }
  const std::vector<std::string>& header() const override { return header_; }
  char delimiter() const override { return ','; }
  uint64_t bytes_read() const override { return done_ ? text_.size() : 0; }
  uint64_t file_size() const override { return text_.size(); }
  Result<std::optional<ingest::Block>> Next(size_t) override {
    if (done_ || text_.empty()) return std::optional<ingest::Block>();
    done_ = true;
    ingest::Block block;
    block.bytes.reserve(text_.size() + kPadding);
    block.bytes = text_;
    block.first_line = 1;
    return std::optional<ingest::Block>(std::move(block));
  }

 private:
  std::string name_;
  std::string text_;
  std::vector<std::string> header_;
  bool done_ = false;
};

// Why a name with a backtick is no feature: a backticked name in a model ends at it.
constexpr std::string_view kBacktickLeftOut =
    "has a backtick (`) in its name, which a model cannot write, so it is not a feature";

// Adds the keys of `object` not seen yet, nested objects as `outer.inner`; a key a model cannot
// name is reported to `left_out` the first time it is seen (`line` of `path`).
void CollectKeys(const nlohmann::ordered_json& object, const std::string& prefix,
                 const std::string& path, uint64_t line, std::unordered_set<std::string>& seen,
                 std::vector<std::string>& keys, std::vector<ingest::RowError>* left_out) {
  for (const auto& [key, value] : object.items()) {
    std::string name = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object()) {
      CollectKeys(value, name, path, line, seen, keys, left_out);
    } else if (!seen.insert(name).second) {
      continue;
    } else if (ModelCanName(name)) {
      keys.push_back(std::move(name));
    } else if (left_out) {
      left_out->push_back({path, line, "",
                           name.empty()
                               ? "a key with no name (\"\") is not a feature"
                               : fmt::format("the key \"{}\" {}", name, kBacktickLeftOut)});
    }
  }
}

// What a CSV header's columns that a model cannot name (ModelCanName) become: a warning each
// at the header's line, the unnamed ones in one.
void ReportUnnameableColumns(const ingest::RecordSource& source,
                             std::vector<ingest::RowError>& left_out) {
  std::vector<size_t> unnamed;  // 1-based
  for (size_t i = 0; i < source.header().size(); ++i) {
    const std::string& name = source.header()[i];
    if (name.empty()) {
      unnamed.push_back(i + 1);
    } else if (!ModelCanName(name)) {
      left_out.push_back({source.path(), source.header_line(), "",
                          fmt::format("column {}, \"{}\", {}", i + 1, name, kBacktickLeftOut)});
    }
  }
  if (unnamed.empty()) return;
  const std::string list = NumberList(unnamed);
  left_out.push_back({source.path(), source.header_line(), "",
                      unnamed.size() == 1
                          ? "column " + list + " has no name, so it is not a feature"
                          : "columns " + list + " have no name, so they are not features"});
}

}  // namespace

bool ModelCanName(std::string_view name) {
  return !name.empty() && name.find('`') == std::string_view::npos;
}

SourceOpener FileOpener(std::string path) {
  return [path = std::move(path)] { return ingest::RecordSource::Open(path); };
}

SourceOpener JsonLinesOpener(std::string name, std::string text) {
  return [name = std::move(name),
          text = std::move(text)]() -> Result<std::unique_ptr<ingest::RecordSource>> {
    return std::unique_ptr<ingest::RecordSource>(std::make_unique<TextSource>(name, text));
  };
}

Status ReadRows(const SourceOpener& open, const std::vector<std::string>& keys,
                ingest::RowSink& sink, std::initializer_list<const char*> required) {
  LS_ASSIGN_OR_RETURN(std::unique_ptr<ingest::RecordSource> source, open());
  LS_RETURN_IF_ERROR(ingest::RequireColumns(*source, required));
  for (ingest::RowError& warning : source->header_warnings()) sink.OnWarning(std::move(warning));
  auto parser = ingest::BlockParser::Create(*source, keys);
  while (true) {
    LS_ASSIGN_OR_RETURN(std::optional<ingest::Block> block, source->Next());
    if (!block) break;
    parser->Parse(*block, sink);
    source->Recycle(std::move(*block));
  }
  return Status::Ok();
}

Result<bool> IsCsv(const SourceOpener& open) {
  LS_ASSIGN_OR_RETURN(std::unique_ptr<ingest::RecordSource> source, open());
  return source->format() == ingest::Format::kCsv;
}

Result<std::vector<std::string>> ColumnsOf(const SourceOpener& open,
                                           std::vector<ingest::RowError>* left_out) {
  LS_ASSIGN_OR_RETURN(std::unique_ptr<ingest::RecordSource> source, open());
  std::unordered_set<std::string> seen;
  std::vector<std::string> keys;
  if (source->format() == ingest::Format::kCsv) {  // a name once, though columns share it
    for (const std::string& name : source->header()) {
      if (ModelCanName(name) && seen.insert(name).second) keys.push_back(name);
    }
    if (left_out) ReportUnnameableColumns(*source, *left_out);
    return keys;
  }
  while (true) {
    LS_ASSIGN_OR_RETURN(std::optional<ingest::Block> block, source->Next());
    if (!block) break;
    std::string_view rest = block->text();
    for (uint64_t line = block->first_line; !rest.empty(); ++line) {
      const size_t end = rest.find('\n');
      const std::string_view text = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
      // A line that does not parse is reported when the rows are read; here it adds no key.
      // In the order the keys come (a leads file's or a store's columns, as written), so that
      // a table's columns, and a scorecard's rules, follow it.
      const auto object = nlohmann::ordered_json::parse(text, nullptr, false);
      if (object.is_object()) CollectKeys(object, "", source->path(), line, seen, keys, left_out);
    }
    source->Recycle(std::move(*block));
  }
  return keys;
}

}  // namespace leadscore::learn
