// What the live service says about a lead: its stored records scored by each active model.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"
#include "service/lead_prediction.h"
#include "service/lead_scorer.h"
#include "service/live_models.h"
#include "store/store.h"

namespace leadscore::service {

// One model's score of a lead, owning its text (unlike engine::Score).
struct ModelScore {
  std::string model;
  int64_t version = 0;
  std::string role;
  double score = 0, fit = 0, engagement = 0;  // rounded to cents
  std::optional<std::string> grade = std::nullopt, stage = std::nullopt;
  std::vector<std::pair<std::string, double>> reasons = {};  // when explained
  // If nothing happens: when the stage changes (decay, expiry), when asked for.
  std::optional<Timestamp> stage_change_at = std::nullopt;
  // When asked for and there is a stage above: its id and the single actions that reach it.
  std::optional<std::string> next_stage = std::nullopt;
  std::vector<NextStep> next_steps = {};
};

struct LeadView {
  store::LeadRow lead;
  size_t events = 0;
  AsOf as_of;
  std::vector<ModelScore> scores;                       // the primary first
  std::optional<Prediction> predictive = std::nullopt;  // with a predictive model
};

// The LeadScorer of this thread for `model` (one per thread and model, kept while the model
// is active).
LeadScorer& ThreadScorer(const std::shared_ptr<const engine::CompiledModel>& model);

// An engine Score as text that outlives the model (reasons included).
ModelScore ToModelScore(const ActiveModel& model, const engine::Score& s);

// Scores stored records with one model: the lead's events as stored, or as its model's
// LeadScorer parsed them (LeadScorer::Parse).
// With `next_steps`, also the actions that reach the next stage (LeadScorer::NextSteps).
ModelScore ScoreStored(const ActiveModel& model, const store::LeadRow& lead,
                       const std::vector<std::string>& events, AsOf as_of, bool explain,
                       bool forecast, bool next_steps = false);
ModelScore ScoreStored(const ActiveModel& model, const store::LeadRow& lead,
                       const ParsedEvents& events, AsOf as_of, bool explain, bool forecast,
                       bool next_steps = false);

}  // namespace leadscore::service
