#include "cli/predictive_columns.h"

#include <fmt/format.h>

#include <limits>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "cli/absent_columns.h"
#include "core/print_stderr.h"
#include "ingest/record_source.h"
#include "learn/training_set.h"
#include "service/predictive_features.h"

namespace leadscore::cli {

learn::TrainingSetOptions ScoringOptions(const learn::TreeModel& model, const std::string& leads,
                                         const std::string& events) {
  std::vector<std::string> numeric;
  for (const learn::TreeFeature& f : model.encoding().features) {
    if (f.kind == learn::ColumnKind::kNumeric) numeric.push_back(f.column);
  }
  learn::TrainingSetOptions options =
      learn::OptionsForModel(model.columns(), model.encoding().missing, std::move(numeric));
  options.leads = leads;
  options.events = events;
  return options;
}

Status CompleteFeatures(const learn::TreeModel& model, learn::ScoringSet& set,
                        const std::string& leads, const std::string& events, Timestamp as_of) {
  LS_ASSIGN_OR_RETURN(const service::PredictiveFeatures features,
                      service::PredictiveFeatures::For(model.encoding()));
  return features.Complete(set.table, set.ids, as_of, learn::FileOpener(leads),
                           events.empty() ? learn::SourceOpener() : learn::FileOpener(events));
}

std::vector<std::string> AbsentLeadColumns(const learn::TreeModel& model,
                                           const learn::ScoringSet& set) {
  const learn::TreeEncoding& encoding = model.encoding();
  std::unordered_set<std::string> computed;
  for (const learn::Column& c : set.table.columns) {
    if (c.event || c.derived || c.from_rules) computed.insert(c.name);
  }
  for (const learn::DerivedColumn& d : encoding.derived) computed.insert(d.name);
  std::vector<std::string> wanted;
  for (const learn::TreeFeature& f : encoding.features) {
    const bool from_rules = !encoding.rule_model.empty() && f.column.starts_with("rule:");
    if (!computed.contains(f.column) && !from_rules) wanted.push_back(f.column);
  }
  for (const learn::DerivedColumn& d : encoding.derived) {
    for (const auto& [name, kind] : d.reads) wanted.push_back(name);
  }
  const std::unordered_set<std::string> have(set.lead_columns.begin(), set.lead_columns.end());
  std::unordered_set<std::string> said;
  std::vector<std::string> absent;
  for (const std::string& name : wanted) {
    if (!have.contains(name) && said.insert(name).second) absent.push_back(name);
  }
  return absent;
}

void WarnOfMissingEvents(const learn::TreeModel& model, const std::string& events) {
  if (!events.empty()) return;
  const std::vector<std::string> types = learn::EventTypesIn(model.columns());
  if (types.empty()) return;
  std::string list;
  for (size_t i = 0; i < types.size() && i < 3; ++i) list += (i ? ", `" : "`") + types[i] + "`";
  if (types.size() > 3) list += fmt::format(" and {} more", types.size() - 3);
  PrintToStderr(
      "warning: the trees model counts each lead's events ({}), and no --events is given: every "
      "lead reads as having none\n",
      list);
}

Result<service::PredictiveColumns> PredictBatch(const learn::TreeModel& model,
                                                const service::Batch& batch,
                                                const std::string& leads, const std::string& events,
                                                size_t top) {
  if (leads.empty()) {
    return Error(InvalidArgument(
        "--predictive needs --leads: the model's features include the leads' attributes"));
  }
  const learn::TrainingSetOptions options = ScoringOptions(model, leads, events);
  // Bad rows were reported when the batch read these files; they are skipped here too.
  LS_ASSIGN_OR_RETURN(learn::ScoringSet set, learn::BuildScoringSet(options, batch.as_of.time));
  LS_RETURN_IF_ERROR(CompleteFeatures(model, set, leads, events, batch.as_of.time));
  WarnOfAbsentColumns(ingest::InputName(leads), "the trees model (--predictive)",
                      AbsentLeadColumns(model, set), set.lead_columns);
  WarnOfMissingEvents(model, events);
  std::vector<uint32_t> rows(set.table.rows());
  std::iota(rows.begin(), rows.end(), 0);
  LS_ASSIGN_OR_RETURN(std::vector<double> probability, model.Predict(set.table, rows));
  std::vector<std::vector<learn::Contribution>> why;
  if (top > 0) {
    LS_ASSIGN_OR_RETURN(why, model.Explain(set.table, rows, top));
  }

  std::unordered_map<std::string_view, uint32_t> row_of;
  row_of.reserve(set.ids.size());
  for (uint32_t i = 0; i < set.ids.size(); ++i) row_of.emplace(set.ids[i], i);
  service::PredictiveColumns out;
  out.probability.assign(batch.leads.size(), std::numeric_limits<double>::quiet_NaN());
  if (top > 0) out.reasons.resize(batch.leads.size());
  for (uint32_t lead = 0; lead < batch.leads.size(); ++lead) {
    auto it = row_of.find(batch.leads.id(lead));
    if (it == row_of.end()) continue;
    out.probability[lead] = probability[it->second];
    if (top == 0) continue;
    for (const learn::Contribution& c : why[it->second]) {
      out.reasons[lead].emplace_back(c.feature, c.value);
    }
  }
  return out;
}

}  // namespace leadscore::cli
