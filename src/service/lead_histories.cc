#include "service/lead_histories.h"

#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <unordered_set>

#include "ingest/convert.h"
#include "service/cell_texts.h"
#include "service/record_convert.h"

namespace leadscore::service {
namespace {

// A parsed value as JSON, as `leadscore ingest` stores it: a CSV cell typed as an undeclared
// cell is (a number when it reads as one, a code such as a phone number kept as text), a JSON
// value as it is; null is left out.
bool ToJson(const Value& v, bool csv, nlohmann::json& out) {
  if (v.is_string() && csv) {
    const Value typed = ingest::CsvCellForJson(v.str());
    if (typed.is_number()) {
      out = typed.number();
    } else {
      out = std::string(v.str());
    }
  } else if (v.is_string()) {
    out = std::string(v.str());
  } else if (v.is_number()) {
    out = v.number();
  } else if (v.is_bool()) {
    out = v.boolean();
  } else {
    return false;
  }
  return true;
}

// Calls `on_record(lead_id, object)` for every row of a source that has a lead_id.
class JsonRecords : public ingest::RowSink {
 public:
  // (lead_id, the record as JSON, its CSV cells that read as numbers as written).
  using OnRecord = std::function<void(std::string, nlohmann::json, nlohmann::json)>;
  JsonRecords(std::vector<std::string> keys, bool csv, bool leads, OnRecord on_record)
      : keys_(std::move(keys)), csv_(csv), leads_(leads), on_record_(std::move(on_record)) {
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == "lead_id") lead_at_ = i;
      if (keys_[i] == "type") type_at_ = i;
      if (keys_[i] == "ts") ts_at_ = i;
      if (keys_[i] == "event_id") event_id_at_ = i;
    }
  }
  void OnRow(uint64_t, std::span<const Value> values) override {
    if (!leads_ && Repeated(values)) return;
    nlohmann::json object = nlohmann::json::object();
    nlohmann::json texts = nlohmann::json::object();
    std::string id;
    for (size_t i = 0; i < keys_.size(); ++i) {
      nlohmann::json v;
      if (!ToJson(values[i], csv_, v)) continue;
      if (keys_[i] == "lead_id") {
        // The id as batch reads it (a CSV cell as written, a JSON number in its shortest
        // form): v.dump() made 1000 the lead "1000.0", whom the training set never asked for.
        std::string_view text;
        if (IdText(values[i], scratch_, text)) id = text;
      }
      if (csv_ && IsIdColumn(!leads_, keys_[i])) {
        // Kept as written, as `leadscore ingest` keeps them.
        object[keys_[i]] = std::string(values[i].str());
        if (IdCellHasText(leads_, keys_[i], values[i].str())) {
          texts[keys_[i]] = std::string(values[i].str());
        }
        continue;
      }
      if (csv_ && IsNumberCell(values[i].str())) {
        texts[keys_[i]] = std::string(values[i].str());
      } else {
        texts.erase(keys_[i]);  // a column named twice: the later cell counts
      }
      object[keys_[i]] = std::move(v);
    }
    if (!id.empty()) on_record_(std::move(id), std::move(object), std::move(texts));
  }
  void OnError(ingest::RowError) override {}  // reported when the training set reads the file

 private:
  // Whether an event row is good (SCORING.md, "Batch output": a lead_id, a type, a ts that
  // reads) and has an event_id a good row before it had: the first one counts, whichever lead
  // each names, as batch dedupes over the whole file (the lead's scorer dedupes only its own).
  bool Repeated(std::span<const Value> values) {
    constexpr size_t kNone = SIZE_MAX;
    if (event_id_at_ == kNone || lead_at_ == kNone || type_at_ == kNone || ts_at_ == kNone) {
      return false;
    }
    std::string_view text;
    for (size_t at : {lead_at_, type_at_}) {
      if (!IdText(values[at], scratch_, text) || HoldsNul(text)) return false;
    }
    std::string problem;
    if (!EventTime(values[ts_at_], problem)) return false;
    if (!IdText(values[event_id_at_], scratch_, text) || HoldsNul(text)) return false;
    return !seen_ids_.emplace(text).second;
  }

  std::vector<std::string> keys_;
  size_t lead_at_ = SIZE_MAX, type_at_ = SIZE_MAX, ts_at_ = SIZE_MAX, event_id_at_ = SIZE_MAX;
  std::unordered_set<std::string> seen_ids_;  // of events: the first of an id counts
  bool csv_;
  bool leads_;
  std::string scratch_;
  OnRecord on_record_;
};

Status ReadRecords(const learn::SourceOpener& open, bool leads,
                   const JsonRecords::OnRecord& on_record) {
  LS_ASSIGN_OR_RETURN(std::vector<std::string> keys, learn::ColumnsOf(open));
  LS_ASSIGN_OR_RETURN(const bool csv, learn::IsCsv(open));
  JsonRecords sink(keys, csv, leads, on_record);
  return learn::ReadRows(open, keys, sink);
}

}  // namespace

LeadRecords LeadHistories::Of(const std::string& lead_id) const {
  LeadRecords records{lead_id, {}, {}};
  if (auto a = attributes.find(lead_id); a != attributes.end()) records.attributes_json = a->second;
  if (auto t = cell_texts.find(lead_id); t != cell_texts.end()) records.cell_texts = t->second;
  if (auto e = events.find(lead_id); e != events.end()) records.events_json = e->second;
  return records;
}

Result<LeadHistories> ReadLeadHistories(const learn::SourceOpener& leads,
                                        const learn::SourceOpener& events) {
  LeadHistories out;
  LS_RETURN_IF_ERROR(
      ReadRecords(leads, true, [&](std::string id, nlohmann::json object, nlohmann::json texts) {
        if (!texts.empty()) out.cell_texts.emplace(id, texts.dump());
        out.attributes.emplace(std::move(id), object.dump());
      }));
  if (events) {
    LS_RETURN_IF_ERROR(ReadRecords(
        events, false, [&](std::string id, nlohmann::json object, nlohmann::json texts) {
          out.events[std::move(id)].push_back(
              EventText(object.dump(), texts.empty() ? "" : texts.dump()));
        }));
  }
  return out;
}

}  // namespace leadscore::service
