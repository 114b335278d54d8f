#include "engine/scorer.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>

#include "engine/rounding.h"

namespace leadscore::engine {
namespace {

double DecayFactor(const model::Decay& decay, int64_t age_micros) {
  switch (decay.kind) {
    case model::DecayKind::kNone:
      return 1.0;
    case model::DecayKind::kHalfLife:
      return std::exp2(-static_cast<double>(age_micros) / decay.micros);
    case model::DecayKind::kExpireAfter:
      return age_micros < decay.age_limit ? 1.0 : 0.0;
  }
  return 1.0;
}

double Clamp(double v, double lo, double hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace

Scorer::Scorer(const CompiledModel& model)
    : memos_(model.num_event_types()), fit_memo_(model), model_(model) {
  for (const auto& g : model.fit_groups()) fit_cut_names_.push_back("cut:group." + g.id);
  for (const auto& g : model.engagement_groups()) {
    engagement_cut_names_.push_back("cut:group." + g.id);
  }
  group_totals_.resize(std::max(model.fit_groups().size(), model.engagement_groups().size()));
}

uint64_t Scorer::MatchEvent(const EventView& event) {
  const int slot = model_.MemoSlot(event.type_id);
  if (slot < 0 || static_cast<size_t>(slot) >= event.properties.size() ||
      !event.properties[slot].is_string()) {
    return MatchEventUncached(event);
  }
  if (event.as_of != memo_as_of_) {  // days_since() may read it
    for (MatchMemo& memo : memos_) memo.Clear();
    memo_as_of_ = event.as_of;
  }
  MatchMemo& memo = memos_[event.type_id];
  if (!memo.worthwhile()) return MatchEventUncached(event);
  std::string_view key = event.properties[slot].str();
  if (const uint64_t* known = memo.Find(key)) return *known;
  uint64_t mask = MatchEventUncached(event);
  memo.Insert(key, mask);
  return mask;
}

uint64_t Scorer::MatchEventUncached(const EventView& event) {
  const auto& rules = model_.engagement_rules();
  const auto& indexes = model_.RulesForType(event.type_id);
  expr::Env env{event.properties, {}, {}, event.as_of};
  uint64_t mask = 0;
  for (size_t i = 0; i < indexes.size(); ++i) {
    const CompiledEngagementRule& rule = rules[indexes[i]];
    if (rule.reads_lead) continue;
    if (!rule.when || vm_.Run(*rule.when, env).is_true()) mask |= uint64_t{1} << i;
  }
  return mask;
}

uint64_t Scorer::MatchWithLead(const EventView& event, std::span<const Value> lead_attributes) {
  const auto& rules = model_.engagement_rules();
  const auto& indexes = model_.RulesForType(event.type_id);
  expr::Env env{event.properties, lead_attributes, {}, event.as_of};
  uint64_t mask = 0;
  for (size_t i = 0; i < indexes.size(); ++i) {
    const CompiledEngagementRule& rule = rules[indexes[i]];
    if (rule.reads_lead && vm_.Run(*rule.when, env).is_true()) mask |= uint64_t{1} << i;
  }
  return mask;
}

int Scorer::Apply(StateTable& states, uint32_t lead, const EventView& event,
                  std::span<const Value> lead_attributes, std::vector<uint32_t>* matched) {
  uint64_t mask = MatchEvent(event) | MatchWithLead(event, lead_attributes);
  ApplyMatched(states, lead, event.type_id, event.ts, mask);
  if (matched) {
    const auto& indexes = model_.RulesForType(event.type_id);
    for (size_t i = 0; i < indexes.size(); ++i) {
      if (mask >> i & 1) matched->push_back(indexes[i]);
    }
  }
  return std::popcount(mask);
}

void Scorer::ApplyMatched(StateTable& states, uint32_t lead, int type_id, Timestamp ts,
                          uint64_t mask) {
  const auto& rules = model_.engagement_rules();
  const auto& indexes = model_.RulesForType(type_id);
  for (; mask != 0; mask &= mask - 1) {
    const CompiledEngagementRule& rule = rules[indexes[std::countr_zero(mask)]];
    StateSlot* s = states.Row(lead) + rule.state_offset;
    switch (rule.kind) {
      case RuleKind::kSum:
        s[0].sum += rule.points;
        break;
      case RuleKind::kHalfLife:
        // The sum is kept at the table's reference time R: each event adds its points decayed
        // to R, and the value at T is sum * 2^(-(T - R)/H). With R the as-of time (batch
        // runs), each term is exactly SCORING.md's points * 2^(-(T - ts)/H).
        s[0].sum += rule.points * DecayFactor(rule.decay, states.reference() - ts);
        break;
      case RuleKind::kExpiring: {
        if (s[0].n < 0) s[0].n = states.NewList();
        std::vector<Timestamp>& list = states.List(s[0].n);
        list.push_back(ts);
        // Events at or before newest - D can never count again for an as-of >= newest.
        Timestamp newest = *std::max_element(list.begin(), list.end());
        std::erase_if(list, [&](Timestamp t) { return t <= newest - rule.decay.age_limit; });
        break;
      }
      case RuleKind::kOnce:
        s[0].ts = std::max(s[0].ts, ts);
        break;
      case RuleKind::kCount:
        if (s[0].n < rule.count) ++s[0].n;
        break;
      case RuleKind::kCountWindow: {
        // Keep the `count` newest timestamps, newest first.
        uint32_t k = rule.state_size;
        if (s[k - 1].ts != kNoTime && ts <= s[k - 1].ts) break;
        uint32_t i = k - 1;
        while (i > 0 && (s[i - 1].ts == kNoTime || s[i - 1].ts < ts)) {
          s[i] = s[i - 1];
          --i;
        }
        s[i].ts = ts;
        break;
      }
    }
  }
}

double Scorer::RuleContribution(const StateTable& states, uint32_t lead, uint32_t index,
                                AsOf as_of) const {
  const CompiledEngagementRule& rule = model_.engagement_rules()[index];
  const StateSlot* s = states.Row(lead) + rule.state_offset;
  double c = 0;
  switch (rule.kind) {
    case RuleKind::kSum:
      c = s[0].sum;
      break;
    case RuleKind::kHalfLife:
      c = s[0].sum;
      if (as_of.time != states.reference())
        c *= DecayFactor(rule.decay, as_of.time - states.reference());
      break;
    case RuleKind::kExpiring:
      if (s[0].n >= 0) {
        int64_t n = 0;
        for (Timestamp t : states.List(s[0].n)) n += as_of.time - t < rule.decay.age_limit;
        c = rule.points * static_cast<double>(n);
      }
      break;
    case RuleKind::kOnce:
      return s[0].ts == kNoTime ? 0.0 : rule.points * DecayFactor(rule.decay, as_of.time - s[0].ts);
    case RuleKind::kCount:
      return s[0].n >= rule.count ? rule.points : 0.0;
    case RuleKind::kCountWindow: {
      Timestamp kth = s[rule.state_size - 1].ts;
      return kth != kNoTime && as_of.time - kth < rule.within_micros ? rule.points : 0.0;
    }
  }
  if (rule.max) {
    if (rule.points > 0) c = std::min(c, *rule.max);
    if (rule.points < 0) c = std::max(c, -*rule.max);
  }
  return c;
}

void Scorer::StepTimes(const StateTable& states, uint32_t lead, Timestamp after,
                       std::vector<Timestamp>& out) const {
  auto add = [&](Timestamp ts, int64_t length) {
    // Saturating: a length of up to 1e12 s from a time near the year 9999.
    if (ts != kNoTime && ts <= std::numeric_limits<Timestamp>::max() - length &&
        ts + length > after) {
      out.push_back(ts + length);
    }
  };
  for (const CompiledEngagementRule& rule : model_.engagement_rules()) {
    const StateSlot* s = states.Row(lead) + rule.state_offset;
    switch (rule.kind) {
      case RuleKind::kExpiring:
        if (s[0].n >= 0) {
          for (Timestamp t : states.List(s[0].n)) add(t, rule.decay.age_limit);
        }
        break;
      case RuleKind::kOnce:
        if (rule.decay.kind == model::DecayKind::kExpireAfter) add(s[0].ts, rule.decay.age_limit);
        break;
      case RuleKind::kCountWindow:
        add(s[rule.state_size - 1].ts, rule.within_micros);
        break;
      default:
        break;
    }
  }
}

bool Scorer::FitRuleHolds(uint32_t index, std::span<const Value> lead_attributes, AsOf as_of) {
  const CompiledFitRule& rule = model_.fit_rules()[index];
  return !rule.when || FitConditionHolds(rule, lead_attributes, as_of);
}

bool Scorer::FitConditionHolds(const CompiledFitRule& rule, std::span<const Value> lead_attributes,
                               AsOf as_of) {
  expr::Env env{{}, lead_attributes, {}, as_of.time};
  return vm_.Run(*rule.when, env).is_true();
}

double Scorer::FitSum(std::span<const Value> lead_attributes, AsOf as_of,
                      std::vector<Contribution>* reasons) {
  std::fill(group_totals_.begin(), group_totals_.end(), 0.0);
  double fit_sum = 0;
  const auto& fit_rules = model_.fit_rules();
  fit_memo_.StartLead(as_of.time);
  auto evaluate = [&](uint32_t rule) {
    return FitConditionHolds(fit_rules[rule], lead_attributes, as_of);
  };
  for (uint32_t i = 0; i < fit_rules.size(); ++i) {
    const bool holds = !fit_rules[i].when || fit_memo_.Holds(i, lead_attributes, evaluate);
    if (!holds) continue;
    const CompiledFitRule& rule = fit_rules[i];
    if (reasons && Round2(rule.points) != 0) {
      reasons->push_back({rule.id, rule.points, static_cast<int>(i), true});
    }
    if (rule.group >= 0) {
      group_totals_[rule.group] += rule.points;
    } else {
      fit_sum += rule.points;
    }
  }
  return fit_sum + GroupSum(model_.fit_groups(), fit_cut_names_, reasons != nullptr);
}

double Scorer::GroupSum(const std::vector<CompiledGroup>& groups,
                        const std::vector<std::string>& names, bool explain) {
  double sum = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    double total = group_totals_[g];
    if (groups[g].max && total > *groups[g].max) {
      if (explain) cuts_.push_back({names[g], *groups[g].max - total, -1, false});
      total = *groups[g].max;
    }
    sum += total;
  }
  return sum;
}

double Scorer::Fit(std::span<const Value> lead_attributes, AsOf as_of) {
  return Clamp(FitSum(lead_attributes, as_of, nullptr), 0, model_.spec().fit.max);
}

void Scorer::Evaluate(const StateTable& states, uint32_t lead,
                      std::span<const Value> lead_attributes, AsOf as_of, bool explain, Score& out,
                      const double* fit) {
  assert(!(explain && fit) && "a given fit has no reasons to explain");
  out.reasons.clear();
  auto add_reason = [&](std::string_view id, double points, int index, bool is_fit) {
    if (explain && Round2(points) != 0) out.reasons.push_back({id, points, index, is_fit});
  };
  std::vector<Contribution>& cuts_scratch = cuts_;
  cuts_scratch.clear();

  // 1. Fit.
  if (fit != nullptr) {
    out.fit = *fit;
  } else {
    const double fit_sum = FitSum(lead_attributes, as_of, explain ? &out.reasons : nullptr);
    out.fit = Clamp(fit_sum, 0, model_.spec().fit.max);
    if (explain && out.fit != fit_sum) {
      cuts_scratch.push_back({cut_fit_, out.fit - fit_sum, -1, false});
    }
  }

  // 2-4. Engagement.
  std::fill(group_totals_.begin(), group_totals_.end(), 0.0);
  double engagement_sum = 0;
  const auto& rules = model_.engagement_rules();
  for (uint32_t i = 0; i < rules.size(); ++i) {
    double c = RuleContribution(states, lead, i, as_of);
    if (c == 0) continue;
    add_reason(rules[i].id, c, static_cast<int>(i), false);
    if (rules[i].group >= 0) {
      group_totals_[rules[i].group] += c;
    } else {
      engagement_sum += c;
    }
  }
  engagement_sum += GroupSum(model_.engagement_groups(), engagement_cut_names_, explain);
  out.engagement = Clamp(engagement_sum, 0, model_.spec().engagement.max);
  if (explain && out.engagement != engagement_sum) {
    cuts_scratch.push_back({cut_engagement_, out.engagement - engagement_sum, -1, false});
  }

  // 5. Score.
  computed_[kFitSlot] = Value::Number(out.fit);
  computed_[kEngagementSlot] = Value::Number(out.engagement);
  computed_[kScoreSlot] = Value::Null();
  computed_[kGradeSlot] = Value::Null();
  expr::Env env{{}, lead_attributes, std::span<const Value>(computed_, kNumComputed), as_of.time};
  Value raw = vm_.Run(model_.formula(), env);
  out.raw_score = raw.is_number() && !std::isnan(raw.number()) ? raw.number() : 0.0;
  out.score = Clamp(out.raw_score, 0, model_.spec().score_max);
  if (explain && out.score != out.raw_score) {
    cuts_scratch.push_back({cut_score_, out.score - out.raw_score, -1, false});
  }
  computed_[kScoreSlot] = Value::Number(out.score);

  // 6. Grade: the first that holds.
  out.grade = -1;
  const auto& grades = model_.grades();
  for (size_t i = 0; i < grades.size(); ++i) {
    if (vm_.Run(*grades[i].when, env).is_true()) {
      out.grade = static_cast<int>(i);
      break;
    }
  }
  if (out.grade >= 0) computed_[kGradeSlot] = Value::String(grades[out.grade].id);

  // 7. Stage: the last that holds.
  out.stage = -1;
  const auto& stages = model_.stages();
  for (size_t i = 0; i < stages.size(); ++i) {
    if (vm_.Run(*stages[i].when, env).is_true()) out.stage = static_cast<int>(i);
  }

  if (explain) {
    std::sort(out.reasons.begin(), out.reasons.end(),
              [](const Contribution& a, const Contribution& b) {
                double x = std::fabs(a.points), y = std::fabs(b.points);
                return x != y ? x > y : a.rule < b.rule;
              });
    out.reasons.insert(out.reasons.end(), cuts_scratch.begin(), cuts_scratch.end());
  }
}

}  // namespace leadscore::engine
