#include "service/store_source.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "ingest/convert.h"
#include "service/cell_texts.h"
#include "service/record_input.h"
#include "service/record_json.h"

namespace leadscore::service {
namespace {

constexpr size_t kPadding = 64;  // simdjson reads up to this far past a line

// Common to both: blocks of whole lines, sizes for LoadBatch's estimates.
class StoredSource : public ingest::RecordSource {
 public:
  explicit StoredSource(std::string name) : name_(std::move(name)) {}
  ingest::Format format() const override { return ingest::Format::kJsonl; }
  const std::string& path() const override { return name_; }
  const std::vector<std::string>& header() const override { return header_; }
  char delimiter() const override { return ','; }
  uint64_t bytes_read() const override { return bytes_read_; }
  // An estimate once the first block is read: rows in the table times the first block's
  // bytes per row (LoadBatch sizes its tables from it).
  uint64_t file_size() const override {
    if (rows_seen_ == 0) return 0;
    return static_cast<uint64_t>(static_cast<double>(total_rows_) * bytes_read_ / rows_seen_);
  }

 protected:
  ingest::Block NewBlock(size_t target) {
    ingest::Block block;
    block.bytes.reserve(target + kPadding);
    block.first_line = rows_seen_ + 1;
    block.index = blocks_++;
    return block;
  }
  void Count(const ingest::Block& block, size_t rows) {
    bytes_read_ += block.bytes.size();
    rows_seen_ += rows;
  }

  std::string name_;
  std::vector<std::string> header_;
  uint64_t bytes_read_ = 0;
  uint64_t rows_seen_ = 0;
  uint64_t total_rows_ = 0;
  uint64_t blocks_ = 0;
};

class EventsSource final : public StoredSource {
 public:
  EventsSource(store::Store& store, const engine::CompiledModel* model, bool typed_ids)
      : StoredSource("store:events"),
        store_(store),
        // An event from a CSV file: its cells written as the model reads them (cell_texts.h).
        with_texts_([model, typed_ids, scratch = std::string()](
                        std::string& out, std::string_view body, std::string_view texts) mutable {
          out += EventBodyFor(body, texts, model, scratch, typed_ids);
        }) {}

  Result<std::optional<ingest::Block>> Next(size_t target_bytes) override {
    if (total_rows_ == 0) {
      LS_ASSIGN_OR_RETURN(int64_t last, store_.LastEventSeq());
      total_rows_ = static_cast<uint64_t>(std::max<int64_t>(last - after_, 1));
    }
    ingest::Block block = NewBlock(target_bytes);
    size_t rows = 0;
    while (block.bytes.size() < target_bytes) {
      LS_ASSIGN_OR_RETURN(int64_t page, store_.AppendEventBodiesAfter(after_, 20000, block.bytes,
                                                                      after_, with_texts_));
      if (page == 0) break;
      rows += static_cast<size_t>(page);
    }
    if (rows == 0) return std::nullopt;
    Count(block, rows);
    return std::optional<ingest::Block>(std::move(block));
  }

 private:
  store::Store& store_;
  store::Store::BodyWriter with_texts_;
  int64_t after_ = 0;
};

class LeadsSource final : public StoredSource {
 public:
  LeadsSource(store::Store& store, const engine::CompiledModel* model, StoredLeadsOptions options)
      : StoredSource("store:leads"), store_(store), model_(model), options_(std::move(options)) {}

  Result<std::optional<ingest::Block>> Next(size_t target_bytes) override {
    if (total_rows_ == 0) {
      LS_ASSIGN_OR_RETURN(int64_t n, store_.CountLeads());
      total_rows_ = static_cast<uint64_t>(std::max<int64_t>(n, 1));
    }
    ingest::Block block = NewBlock(target_bytes);
    size_t rows = 0;
    while (!done_ && block.bytes.size() < target_bytes) {
      LS_ASSIGN_OR_RETURN(auto page, store_.LeadsPage(after_, 5000));
      if (page.empty()) {
        done_ = true;
        break;
      }
      for (const auto& lead : page) {
        if (lead.attributes == "{}" && options_.has_events && options_.has_events(lead.lead_id)) {
          continue;
        }
        AppendLeadLine(block.bytes, lead, model_, options_.typed_id);
        ++rows;
      }
      after_ = page.back().lead_id;
    }
    if (rows == 0) return std::nullopt;
    Count(block, rows);
    return std::optional<ingest::Block>(std::move(block));
  }

 private:
  store::Store& store_;
  const engine::CompiledModel* model_;
  StoredLeadsOptions options_;
  std::string after_;
  bool done_ = false;
};

class OutcomesSource final : public StoredSource {
 public:
  explicit OutcomesSource(store::Store& store) : StoredSource("store:outcomes"), store_(store) {}

  Result<std::optional<ingest::Block>> Next(size_t target_bytes) override {
    ingest::Block block = NewBlock(target_bytes);
    size_t rows = 0;
    while (!done_ && block.bytes.size() < target_bytes) {
      LS_ASSIGN_OR_RETURN(auto page, store_.OutcomesPage(after_, 5000));
      if (page.empty()) {
        done_ = true;
        break;
      }
      for (const auto& o : page) {
        nlohmann::json line = {
            {"lead_id", o.lead_id}, {"outcome", o.kind}, {"ts", FormatTimestamp(o.ts)}};
        if (o.value) line["value"] = *o.value;
        block.bytes += line.dump();
        block.bytes += '\n';
        ++rows;
      }
      after_ = page.back().id;
    }
    if (rows == 0) return std::nullopt;
    total_rows_ = rows_seen_ + rows + 1;
    Count(block, rows);
    return std::optional<ingest::Block>(std::move(block));
  }

 private:
  store::Store& store_;
  int64_t after_ = 0;
  bool done_ = false;
};

// The attributes' lead_id, as `model` reads them, as JSON, when it names another id than the
// lead's own: a CSV cell 007 or 1.0 that reads as a number (the only way it can, cell_texts.h).
std::optional<std::string> TypedIdIfOther(std::string_view attributes, const store::LeadRow& lead) {
  if (lead.cell_texts.find("\"lead_id\"") == std::string::npos) return std::nullopt;
  // That cell's text is the lead's id: one that reads back as itself (1000) names the lead,
  // whatever the model makes of it, and costs no parse (a pass reads every lead).
  if (const Value cell = ingest::CsvCellForJson(lead.lead_id);
      cell.is_number() && FormatNumber(cell.number()) == lead.lead_id) {
    return std::nullopt;
  }
  const auto doc = ParseRecordJson<RecordJson>(attributes, nullptr);
  if (!doc.is_object()) return std::nullopt;
  const auto id = doc.find("lead_id");
  std::string text;
  if (id == doc.end() || (JsonIdText(*id, text) && text == lead.lead_id)) return std::nullopt;
  return id->dump();
}

}  // namespace

void AppendLeadLine(std::string& out, const store::LeadRow& lead,
                    const engine::CompiledModel* model, bool typed_id) {
  // {"lead_id": <id>, <the attributes' members>}: lead_id first, as a file would have it. The
  // attributes hold lead_id as it was sent (record_input.h), which then counts, as the later
  // of a key given twice does: the number 1000 for a lead sent so, as batch reads the file.
  // Where that would name another lead, the id's text is given again at the end, and the id
  // as read under TypedIdKey("lead_id").
  const std::string id = nlohmann::json(lead.lead_id).dump();
  out += "{\"lead_id\":";
  out += id;
  std::string scratch;
  std::string_view rest = AttributesFor(lead.attributes, lead.cell_texts, model, scratch);
  const std::optional<std::string> other = TypedIdIfOther(rest, lead);
  size_t open = rest.find('{');
  rest = open == std::string_view::npos ? "}" : rest.substr(open + 1);
  if (rest.find_first_not_of(" \t\r\n") != std::string_view::npos && rest.front() != '}') {
    out += ',';
  }
  out += rest;
  if (other) {
    while (!out.empty() && out.back() != '}') out.pop_back();
    out.pop_back();
    out += ",\"lead_id\":" + id;
    if (typed_id) out += ",\"\\u0001lead_id\":" + *other;  // TypedIdKey("lead_id")
    out += '}';
  }
  out += '\n';
}

std::unique_ptr<ingest::RecordSource> StoredOutcomes(store::Store& store) {
  return std::make_unique<OutcomesSource>(store);
}

std::unique_ptr<ingest::RecordSource> StoredEvents(store::Store& store,
                                                   const engine::CompiledModel* model,
                                                   bool typed_ids) {
  return std::make_unique<EventsSource>(store, model, typed_ids);
}

std::unique_ptr<ingest::RecordSource> StoredLeads(store::Store& store,
                                                  const engine::CompiledModel* model,
                                                  StoredLeadsOptions options) {
  return std::make_unique<LeadsSource>(store, model, std::move(options));
}

}  // namespace leadscore::service
