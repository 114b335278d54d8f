#include "service/stage_forecast.h"

namespace leadscore::service {

std::optional<Timestamp> StageChangeTime(engine::Scorer& scorer, const engine::StateTable& states,
                                         uint32_t lead, std::span<const Value> attributes,
                                         Timestamp from) {
  engine::Score s;
  auto stage_at = [&](Timestamp t) {
    scorer.Evaluate(states, lead, attributes, AsOf{t}, false, s);
    return s.stage;
  };
  const int stage = stage_at(from);
  Timestamp lo = from;
  for (Timestamp ahead = kStageForecastStep; ahead <= kStageForecastHorizon;
       ahead += kStageForecastStep) {
    Timestamp hi = from + ahead;
    if (stage_at(hi) != stage) {
      while (hi - lo > kMicrosPerSecond) {  // bisect to the second
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
