#include "service/history_rule_features.h"

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "engine/lead_state.h"
#include "engine/scorer.h"
#include "learn/rule_features.h"
#include "service/record_convert.h"

namespace leadscore::service {
namespace {

// Hands each row of a source to a function.
class Rows : public ingest::RowSink {
 public:
  using RowFn = std::function<void(uint64_t line, std::span<const Value>)>;
  explicit Rows(RowFn on_row) : on_row_(std::move(on_row)) {}
  void OnRow(uint64_t line, std::span<const Value> values) override { on_row_(line, values); }
  void OnError(ingest::RowError) override {}  // reported when the training set reads the file

 private:
  RowFn on_row_;
};

}  // namespace

Status AddHistoryRuleFeatures(const std::shared_ptr<const engine::CompiledModel>& model,
                              learn::LabeledTable& table, std::span<const std::string> ids,
                              std::span<const Timestamp> times, const learn::SourceOpener& leads,
                              const learn::SourceOpener& events, bool drop_constant) {
  if (ids.size() != table.rows() || (times.size() != 1 && times.size() != ids.size())) {
    return Internal("rule features: one lead id and one time per row");
  }
  auto time_of = [&](uint32_t row) { return times.size() == 1 ? times[0] : times[row]; };
  std::unordered_map<std::string_view, uint32_t> row_of;
  row_of.reserve(ids.size());
  for (uint32_t r = 0; r < ids.size(); ++r) row_of.emplace(ids[r], r);

  // Attributes by row, converted to the model's types; their strings kept in `texts`.
  const auto& lead_fields = model->lead_fields();
  std::vector<std::vector<Value>> attributes(ids.size(), std::vector<Value>(lead_fields.size()));
  std::deque<std::string> texts;
  std::vector<ingest::RowError> ignored;  // conversions that failed are null, as in scoring
  std::string scratch;
  {
    std::vector<size_t> index;
    const std::vector<std::string> keys = WantedKeys({"lead_id"}, lead_fields, index);
    LS_ASSIGN_OR_RETURN(const bool csv, learn::IsCsv(leads));
    Converter convert(lead_fields, std::move(index), csv, "leads");
    Rows sink([&](uint64_t line, std::span<const Value> values) {
      std::string_view id;
      if (!IdText(values[0], scratch, id)) return;
      auto row = row_of.find(id);
      if (row == row_of.end()) return;
      std::span<const Value> converted = convert.Convert(values, line, ignored);
      ignored.clear();
      for (size_t f = 0; f < converted.size(); ++f) {
        const Value& v = converted[f];
        attributes[row->second][f] = v.is_string() ? Value::String(texts.emplace_back(v.str())) : v;
      }
    });
    LS_RETURN_IF_ERROR(learn::ReadRows(leads, keys, sink));
  }

  const Timestamp latest = *std::max_element(times.begin(), times.end());
  engine::StateTable states(*model, latest);
  states.Reserve(ids.size());
  for (size_t r = 0; r < ids.size(); ++r) states.AddLead();
  engine::Scorer scorer(*model);
  if (events) {
    std::vector<size_t> index;
    const std::vector<std::string> keys =
        WantedKeys({"lead_id", "type", "ts", "event_id"}, model->event_fields(), index);
    LS_ASSIGN_OR_RETURN(const bool csv, learn::IsCsv(events));
    Converter convert(model->event_fields(), std::move(index), csv, "events");
    std::unordered_set<std::string> seen_ids;
    std::string type_scratch, event_scratch, problem;
    Rows sink([&](uint64_t line, std::span<const Value> values) {
      std::string_view id, type, event_id;
      if (!IdText(values[0], scratch, id) || !IdText(values[1], type_scratch, type)) return;
      const std::optional<Timestamp> ts = EventTime(values[2], problem);
      if (!ts) return;
      // Dedupe over all good rows, before the time cut (SCORING.md, "Batch output").
      if (IdText(values[3], event_scratch, event_id) && !seen_ids.emplace(event_id).second) return;
      auto row = row_of.find(id);
      if (row == row_of.end() || *ts > time_of(row->second)) return;
      const int type_id = model->EventTypeId(type);
      if (type_id < 0) return;  // no rule counts it
      std::span<const Value> properties = convert.Convert(values, line, ignored);
      ignored.clear();
      const engine::EventView event{type_id, *ts, properties, time_of(row->second)};
      scorer.Apply(states, row->second, event, attributes[row->second]);
    });
    LS_RETURN_IF_ERROR(learn::ReadRows(events, keys, sink));
  }

  learn::RuleFeatureColumns columns(*model, ids.size());
  engine::Score score;
  for (uint32_t r = 0; r < ids.size(); ++r) {
    scorer.Evaluate(states, r, attributes[r], AsOf{time_of(r)}, /*explain=*/true, score);
    columns.Set(r, score);
  }
  std::move(columns).AppendTo(table, drop_constant);
  return Status::Ok();
}

}  // namespace leadscore::service
