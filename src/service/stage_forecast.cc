#include "service/stage_forecast.h"

#include <algorithm>
#include <vector>

namespace leadscore::service {

bool ReadsAsOfInMatching(const engine::CompiledModel& model) {
  const auto& rules = model.engagement_rules();
  return std::any_of(rules.begin(), rules.end(), [](const auto& r) { return r.reads_as_of; });
}

void ScoreLater(engine::Scorer& scorer, const engine::StateTable& states, uint32_t lead,
                std::span<const Value> attributes, std::span<const PastEvent> past, Timestamp t,
                engine::Score& out) {
  if (!ReadsAsOfInMatching(scorer.model())) {
    scorer.Evaluate(states, lead, attributes, AsOf{t}, false, out);
    return;
  }
  // The lead as a run at t scores it: its events matched with days_since() read at t.
  engine::StateTable at(scorer.model(), t);
  const uint32_t row = at.AddLead();
  for (const PastEvent& e : past) {
    scorer.Apply(at, row, engine::EventView{e.type_id, e.ts, e.properties, t}, attributes);
  }
  scorer.Evaluate(at, row, attributes, AsOf{t}, false, out);
}

std::optional<Timestamp> StageChangeTime(engine::Scorer& scorer, const engine::StateTable& states,
                                         uint32_t lead, std::span<const Value> attributes,
                                         Timestamp from, std::span<const PastEvent> past) {
  engine::Score s;
  auto stage_at = [&](Timestamp t) {
    ScoreLater(scorer, states, lead, attributes, past, t, s);
    return s.stage;
  };
  const int stage = stage_at(from);
  // Where to look: every step of the grid up to the horizon, every moment a rule's total steps
  // (so that a change there, however short, is seen exactly), and the last time there is.
  std::vector<Timestamp> times;
  // Finer while a short half-life moves the score fast (rules that fade at different speeds can
  // take a lead out of a stage and back within hours): an eighth of it, for 64 half-lives.
  double shortest = 0;
  for (const auto& rule : scorer.model().engagement_rules()) {
    if (rule.decay.kind == model::DecayKind::kHalfLife &&
        (shortest == 0 || rule.decay.micros < shortest)) {
      shortest = rule.decay.micros;
    }
  }
  Timestamp ahead = 0;
  if (shortest > 0 && shortest / 8 < kStageForecastStep) {
    const auto step = std::max<Timestamp>(kMicrosPerSecond, static_cast<Timestamp>(shortest / 8));
    const auto until = static_cast<Timestamp>(std::min(64 * shortest, 1e15));
    for (ahead = step; ahead <= until; ahead += step) times.push_back(from + ahead);
  }
  for (ahead += kStageForecastStep; ahead <= kStageForecastHorizon; ahead += kStageForecastStep) {
    times.push_back(from + ahead);
  }
  scorer.StepTimes(states, lead, from, times);
  const Timestamp last = kLastTimestamp;
  if (last > from) times.push_back(last);
  std::sort(times.begin(), times.end());
  Timestamp lo = from;
  for (Timestamp hi : times) {
    if (hi <= lo || hi > last) continue;
    if (stage_at(hi) != stage) {
      while (hi - lo > 1) {  // bisect to the microsecond
        Timestamp mid = lo + (hi - lo) / 2;
        (stage_at(mid) != stage ? hi : lo) = mid;
      }
      return hi;
    }
    lo = hi;
  }
  return std::nullopt;
}

}  // namespace leadscore::service
