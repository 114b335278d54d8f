#include "cli/stage_reference.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "service/lead_scorer.h"

namespace leadscore::cli {
namespace {

// A parsed value as JSON: strings stay strings (declared fields convert them as the batch
// converts CSV cells), numbers and booleans keep their type, null is left out.
bool ToJson(const Value& v, nlohmann::json& out) {
  if (v.is_string()) {
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
  using OnRecord = std::function<void(std::string, nlohmann::json)>;
  JsonRecords(std::vector<std::string> keys, OnRecord on_record)
      : keys_(std::move(keys)), on_record_(std::move(on_record)) {}
  void OnRow(uint64_t, std::span<const Value> values) override {
    nlohmann::json object = nlohmann::json::object();
    std::string id;
    for (size_t i = 0; i < keys_.size(); ++i) {
      nlohmann::json v;
      if (!ToJson(values[i], v)) continue;
      if (keys_[i] == "lead_id") id = v.is_string() ? v.get<std::string>() : v.dump();
      object[keys_[i]] = std::move(v);
    }
    if (!id.empty()) on_record_(std::move(id), std::move(object));
  }
  void OnError(ingest::RowError) override {}  // reported when the training set reads the file

 private:
  std::vector<std::string> keys_;
  OnRecord on_record_;
};

Status ReadRecords(const learn::SourceOpener& open, const JsonRecords::OnRecord& on_record) {
  LS_ASSIGN_OR_RETURN(std::vector<std::string> keys, learn::ColumnsOf(open));
  JsonRecords sink(keys, on_record);
  return learn::ReadRows(open, keys, sink);
}

}  // namespace

Result<std::unordered_map<std::string, Timestamp>> FirstStageTimes(
    const std::shared_ptr<const engine::CompiledModel>& model, const std::string& stage,
    const learn::SourceOpener& leads, const learn::SourceOpener& events) {
  const auto& stages = model->stages();
  const auto at =
      std::find_if(stages.begin(), stages.end(), [&](const auto& s) { return s.id == stage; });
  if (at == stages.end()) {
    std::string known;
    for (const auto& s : stages) known += (known.empty() ? "" : ", ") + s.id;
    return Error(InvalidArgument(fmt::format("the model has no stage `{}` (its stages: {})", stage,
                                             known.empty() ? "none" : known)));
  }
  const int index = static_cast<int>(at - stages.begin());

  std::unordered_map<std::string, std::string> attributes;
  LS_RETURN_IF_ERROR(ReadRecords(leads, [&](std::string id, nlohmann::json object) {
    object.erase("lead_id");
    attributes.emplace(std::move(id), object.dump());
  }));
  std::unordered_map<std::string, std::vector<std::string>> bodies;
  LS_RETURN_IF_ERROR(ReadRecords(events, [&](std::string id, nlohmann::json object) {
    bodies[std::move(id)].push_back(object.dump());
  }));

  std::unordered_map<std::string, Timestamp> first;
  service::LeadScorer scorer(model);
  const AsOf end{std::numeric_limits<Timestamp>::max() / 2};
  for (const auto& [id, lead_events] : bodies) {
    auto attrs = attributes.find(id);
    // A string_view of the stored text: a ternary with "" would view a temporary string.
    const std::string_view attributes_json =
        attrs == attributes.end() ? std::string_view() : std::string_view(attrs->second);
    service::LeadRecords records{id, attributes_json, lead_events};
    if (auto t = scorer.FirstTimeAtStage(records, end, index)) first.emplace(id, *t);
  }
  return first;
}

}  // namespace leadscore::cli
