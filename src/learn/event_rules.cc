#include "learn/event_rules.h"

#include <fmt/format.h>

#include <cmath>

#include "learn/model_text.h"

namespace leadscore::learn {
namespace {

std::string Days(double days) { return fmt::format("{}d", days); }

// The range bins of `f`, in ascending order.
std::vector<size_t> RangeBins(const FeatureBins& f) {
  std::vector<size_t> out;
  for (size_t i = 0; i < f.bins.size(); ++i) {
    if (f.bins[i].kind == BinKind::kRange) out.push_back(i);
  }
  return out;
}

EventRules CountRules(const FeatureBins& f, const EventFeature& e, std::span<const double> points) {
  EventRules out;
  const std::string name = e.url_group.empty()
                               ? fmt::format("{}.{}d", e.type, e.window_days)
                               : fmt::format("{}:{}.{}d", e.type, e.url_group, e.window_days);
  // Counts are whole: a bin from `low` holds the counts from ceil(low). Bins that start at or
  // below 0 all hold a lead with no event; the last of them is where 0 falls.
  const std::vector<size_t> ranges = RangeBins(f);
  size_t zero = ranges.front();
  for (size_t i : ranges) {
    if (std::ceil(f.bins[i].low) <= 0) zero = i;
  }
  out.base = points[zero];
  double previous = out.base;
  long last_threshold = 0;
  for (size_t i : ranges) {
    const double low = std::ceil(f.bins[i].low);
    if (!(low >= 1) || static_cast<long>(low) <= last_threshold) continue;
    last_threshold = static_cast<long>(low);
    const double step = points[i] - previous;
    previous = points[i];
    if (step == 0) continue;
    EventRule r;
    r.id = RuleId(fmt::format("{} {} {}d {}", e.type, e.url_group, e.window_days, last_threshold));
    r.text = fmt::format("{} >= {}", name, last_threshold);
    r.bin = i;
    r.points = step;
    r.lines.push_back("event: " + YamlSingleQuote(e.type));
    if (!e.url_group.empty()) {
      r.lines.push_back("when: " + YamlSingleQuote("matches(url, " +
                                                   ExprString(UrlGroupPattern(e.url_group)) + ")"));
    }
    r.lines.push_back(fmt::format("count: {}", last_threshold));
    r.lines.push_back(fmt::format("within: {}d", e.window_days));
    out.rules.push_back(std::move(r));
  }
  return out;
}

EventRules RecencyRules(const FeatureBins& f, const EventFeature& e,
                        std::span<const double> points) {
  EventRules out;
  const std::string name = e.type + ".days_since_last";
  out.base = points[f.missing_bin];
  const std::vector<size_t> ranges = RangeBins(f);
  // Any event at all: from "never" to the oldest bin.
  auto add = [&](std::string id, std::string text, size_t bin, double step, std::string decay) {
    if (step == 0) return;
    EventRule r{RuleId(id), std::move(text), bin, step, {}};
    r.lines.push_back("event: " + YamlSingleQuote(e.type));
    r.lines.push_back("once: true");
    r.lines.push_back("decay: " + decay);
    out.rules.push_back(std::move(r));
  };
  add(e.type + " ever", fmt::format("{} any time", e.type), ranges.back(),
      points[ranges.back()] - out.base, "none");
  // Then, from the oldest edge down: the last event younger than the edge earns the step from
  // the bin above the edge to the bin below it.
  for (size_t k = ranges.size() - 1; k >= 1; --k) {
    const double edge = f.bins[ranges[k]].low;
    if (!(edge > 0)) continue;
    add(fmt::format("{} within {}", e.type, Days(edge)), fmt::format("{} < {}", name, edge),
        ranges[k - 1], points[ranges[k - 1]] - points[ranges[k]],
        fmt::format("{{expire_after: {}}}", Days(edge)));
  }
  return out;
}

}  // namespace

std::string UrlGroupPattern(const std::string& group) {
  std::string escaped;
  for (char c : group) {
    if (std::string_view("\\.^$|?*+()[]{}").find(c) != std::string_view::npos) escaped += '\\';
    escaped += c;
  }
  // An optional scheme and host (a scheme only before any '/', '?' or '#'), then the group,
  // then the end of the path segment.
  return "^([^/?#]*://[^/]*)?" + escaped + "([/?#]|$)";
}

EventRules RulesForEventFeature(const FeatureBins& f, const EventFeature& event,
                                std::span<const double> points) {
  if (event.kind == EventFeature::Kind::kDaysSinceLast) return RecencyRules(f, event, points);
  return CountRules(f, event, points);
}

}  // namespace leadscore::learn
