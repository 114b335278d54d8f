#include "service/lead_prediction.h"

#include "learn/training_set.h"
#include "service/cell_texts.h"
#include "service/store_source.h"

namespace leadscore::service {

Result<std::unique_ptr<LeadPredictor>> LeadPredictor::Load(const std::string& path) {
  LS_ASSIGN_OR_RETURN(learn::TreeModel loaded, learn::TreeModel::Load(path));
  auto model = std::make_unique<learn::TreeModel>(std::move(loaded));
  LS_ASSIGN_OR_RETURN(PredictiveFeatures features, PredictiveFeatures::For(model->encoding()));
  return std::unique_ptr<LeadPredictor>(
      new LeadPredictor(path, std::move(model), std::move(features)));
}

Result<Prediction> LeadPredictor::Predict(const store::LeadRow& lead,
                                          const std::vector<std::string>& events, Timestamp as_of,
                                          size_t top) const {
  // The lead and its events as JSON Lines, as a batch run reads the store.
  std::string lead_line;
  AppendLeadLine(lead_line, lead, nullptr);
  std::string event_lines;
  std::string scratch;
  for (const std::string& text : events) {
    const auto [body, texts] = SplitEventText(text);
    event_lines += EventBodyFor(body, texts, nullptr, scratch);  // cells as a file's
    event_lines += '\n';
  }
  learn::TrainingSetOptions options =
      learn::OptionsForModel(model_->columns(), model_->encoding().missing);
  options.leads = "lead " + lead.lead_id;
  options.events = "events of " + lead.lead_id;
  options.leads_source = learn::JsonLinesOpener(options.leads, std::move(lead_line));
  options.events_source = learn::JsonLinesOpener(options.events, std::move(event_lines));
  LS_ASSIGN_OR_RETURN(learn::ScoringSet set, learn::BuildScoringSet(options, as_of));
  if (set.table.rows() != 1) {
    return Error(Internal("the lead's features were not built: " + lead.lead_id));
  }
  LS_RETURN_IF_ERROR(
      features_.Complete(set.table, set.ids, as_of, options.leads_source, options.events_source));
  const uint32_t row = 0;
  std::lock_guard lock(mu_);
  LS_ASSIGN_OR_RETURN(std::vector<double> p, model_->Predict(set.table, {&row, 1}));
  Prediction out{p[0], {}};
  if (top > 0) {
    LS_ASSIGN_OR_RETURN(auto why, model_->Explain(set.table, {&row, 1}, top));
    for (const learn::Contribution& c : why[0]) out.reasons.emplace_back(c.feature, c.value);
  }
  return out;
}

}  // namespace leadscore::service
