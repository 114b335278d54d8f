#include "service/lead_view.h"

#include <unordered_map>

#include "engine/rounding.h"

namespace leadscore::service {

LeadScorer& ThreadScorer(const std::shared_ptr<const engine::CompiledModel>& model) {
  // Keyed by the model's address: a cached scorer holds the model, so the address cannot be
  // reused while it is here. Models are few; the cache is dropped when it grows past them.
  thread_local std::unordered_map<const engine::CompiledModel*, std::unique_ptr<LeadScorer>> cache;
  auto it = cache.find(model.get());
  if (it != cache.end()) return *it->second;
  if (cache.size() >= 16) cache.clear();
  return *cache.emplace(model.get(), std::make_unique<LeadScorer>(model)).first->second;
}

ModelScore ToModelScore(const ActiveModel& model, const engine::Score& s) {
  const engine::CompiledModel& m = *model.compiled;
  ModelScore out{model.name,
                 model.version,
                 model.role,
                 engine::Round2(s.score),
                 engine::Round2(s.fit),
                 engine::Round2(s.engagement)};
  if (s.grade >= 0) out.grade = m.grades()[s.grade].id;
  if (s.stage >= 0) out.stage = m.stages()[s.stage].id;
  for (const auto& r : s.reasons) out.reasons.emplace_back(std::string(r.rule), r.points);
  return out;
}

namespace {

ModelScore ScoreRecords(const ActiveModel& model, const LeadRecords& records, AsOf as_of,
                        bool explain, bool forecast, bool next_steps) {
  LeadScorer& scorer = ThreadScorer(model.compiled);
  engine::Score s = scorer.Score(records, as_of, explain);
  ModelScore out = ToModelScore(model, s);
  if (forecast && s.stage >= 0) out.stage_change_at = scorer.StageChangeTime(records, as_of);
  const auto& stages = model.compiled->stages();
  if (next_steps && static_cast<size_t>(s.stage + 1) < stages.size()) {
    out.next_stage = stages[s.stage + 1].id;
    out.next_steps = scorer.NextSteps(records, as_of);
  }
  return out;
}

}  // namespace

ModelScore ScoreStored(const ActiveModel& model, const store::LeadRow& lead,
                       const std::vector<std::string>& events, AsOf as_of, bool explain,
                       bool forecast, bool next_steps) {
  return ScoreRecords(model,
                      LeadRecords{lead.lead_id, lead.attributes, events, nullptr, lead.cell_texts},
                      as_of, explain, forecast, next_steps);
}

ModelScore ScoreStored(const ActiveModel& model, const store::LeadRow& lead,
                       const ParsedEvents& events, AsOf as_of, bool explain, bool forecast,
                       bool next_steps) {
  return ScoreRecords(model,
                      LeadRecords{lead.lead_id, lead.attributes, {}, &events, lead.cell_texts},
                      as_of, explain, forecast, next_steps);
}

}  // namespace leadscore::service
