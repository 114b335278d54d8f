// How a scorecard feature counted from events becomes engagement rules of a model file
// (SCORING.md), so that a scorecard learned from history is an ordinary model:
//   - events of a type in a window (`page_view.30d`, `page_view:/pricing.90d`): one count rule
//     per bin edge, `count: k, within: 30d`, worth the step in points from the bin below;
//   - days since the last event of a type: a `once` rule worth the step from "never" to the
//     oldest bin, then one `once` rule per bin edge that expires at that edge.
// A lead's points for the feature are then `base` plus the points of the rules that fire: the
// points of its bin, as the trained scorecard gives them. `base` goes to an always-true fit
// rule; a feature whose points fall as counts grow gets rules with negative points, which the
// engagement clamp at 0 can cut (the writer measures what that costs).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "learn/binning.h"
#include "learn/table.h"

namespace leadscore::learn {

struct EventRule {
  std::string id;    // readable, unique within the feature: page_view_30d_3
  std::string text;  // what fires it, for the comment: "page_view.30d >= 3"
  size_t bin = 0;    // the bin whose weight and support the comment shows
  double points = 0;
  // The rule's YAML after `- id: ...`: `event`, `when`, `count`/`within` or `once`/`decay`.
  std::vector<std::string> lines;
};

struct EventRules {
  double base = 0;  // the points of a lead with no event counted
  std::vector<EventRule> rules;
};

// `points[i]`: the points of bin i of `f`.
EventRules RulesForEventFeature(const FeatureBins& f, const EventFeature& event,
                                std::span<const double> points);

// A regular expression (RE2) that a url matches exactly when its first path segment is
// `group` ("/pricing"), as the training set groups urls.
std::string UrlGroupPattern(const std::string& group);

}  // namespace leadscore::learn
