// Score: what the engine says about one lead at one as-of time.
#pragma once

#include <string_view>
#include <vector>

namespace leadscore::engine {

// One line of an explanation: a rule's contribution (after decay and the rule's own cap, before
// group caps and clamps), or a cut (`cut:group.<id>`, `cut:fit`, `cut:engagement`, `cut:score`)
// with the signed change it made. `rule` views the CompiledModel or the Scorer.
struct Contribution {
  std::string_view rule;
  double points = 0;
  int rule_index = -1;  // into fit_rules() for fit, engagement_rules() for engagement; -1: cut
  bool is_fit = false;
};

struct Score {
  double score = 0;
  double fit = 0;
  double engagement = 0;
  double raw_score = 0;  // score.formula before the clamp (0 when it gave null)
  int grade = -1;        // index into grades(), -1: none
  int stage = -1;        // index into stages(), -1: none
  // Filled only when asked for: rules in order of |points| (largest first, ties by id), then
  // the cuts in SCORING.md's order.
  std::vector<Contribution> reasons;
};

}  // namespace leadscore::engine
