// FitMemo: whether fit rules hold, by the value of the one string attribute their conditions
// read. A lead's industry, country or job title takes a few hundred values over a million
// leads, and a condition such as `contains(lower(job_title), "head")` costs far more to run
// than to look up: the fit rules' Vm::Run was a fifth of the CPU of reading W1's 1M leads.
//
// Rules are grouped by the attribute they read; a group's memo maps a value to the mask of its
// rules that hold for it. A group whose values rarely repeat (an e-mail address) stops being
// memoized once its memo is full (MatchMemo::worthwhile), so that unique values cost no lookup. A
// result depends on the value's bytes and the as-of time only (days_since reads it), so the memo is
// emptied when the as-of time changes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/time.h"
#include "core/value.h"
#include "engine/compiled_model.h"
#include "engine/match_memo.h"

namespace leadscore::engine {

class FitMemo {
 public:
  explicit FitMemo(const CompiledModel& model);

  // Forgets the masks looked up for the previous lead.
  void StartLead(Timestamp as_of);

  // Whether fit rule `rule` holds for `attributes`: from the memo when the rule's condition
  // reads one attribute and that attribute is a string; otherwise, and to fill the memo,
  // `evaluate(r)` runs the condition of rule r.
  template <class Evaluate>
  bool Holds(uint32_t rule, std::span<const Value> attributes, Evaluate&& evaluate) {
    const int group_index = group_of_rule_[rule];
    if (group_index < 0) return evaluate(rule);
    Group& group = groups_[static_cast<size_t>(group_index)];
    if (!group.memo.worthwhile() || group.attribute >= attributes.size() ||
        !attributes[group.attribute].is_string()) {
      return evaluate(rule);
    }
    if (group.lead_mark != lead_mark_) {
      group.lead_mark = lead_mark_;
      group.mask = Lookup(group, attributes[group.attribute].str(), evaluate);
    }
    return (group.mask >> bit_of_rule_[rule] & 1) != 0;
  }

 private:
  struct Group {
    uint32_t attribute = 0;
    std::vector<uint32_t> rules;  // bit i of a mask: rules[i]
    MatchMemo memo;
    uint64_t lead_mark = UINT64_MAX;  // the lead `mask` was looked up for
    uint64_t mask = 0;
  };

  template <class Evaluate>
  uint64_t Lookup(Group& group, std::string_view value, Evaluate& evaluate) {
    if (const uint64_t* known = group.memo.Find(value)) return *known;
    uint64_t mask = 0;
    for (size_t i = 0; i < group.rules.size(); ++i) {
      if (evaluate(group.rules[i])) mask |= uint64_t{1} << i;
    }
    group.memo.Insert(value, mask);
    return mask;
  }

  std::vector<Group> groups_;
  std::vector<int> group_of_rule_;  // -1: not memoized
  std::vector<uint8_t> bit_of_rule_;
  uint64_t lead_mark_ = 0;
  Timestamp as_of_ = 0;
  bool has_as_of_ = false;
};

}  // namespace leadscore::engine
