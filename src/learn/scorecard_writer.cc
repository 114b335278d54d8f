#include "learn/scorecard_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "core/printable.h"
#include "engine/rounding.h"
#include "ingest/convert.h"
#include "learn/event_rules.h"
#include "learn/metrics.h"
#include "learn/model_text.h"

namespace leadscore::learn {
namespace {

std::string ExprList(const std::vector<std::string>& items, bool lower) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item = items[i];
    if (lower) std::transform(item.begin(), item.end(), item.begin(), ::tolower);
    out += (i ? ", " : "") + ExprString(item);
  }
  return out + "]";
}

// `Lead Source`: always backticked, so any column name that holds no backtick works.
std::string Name(const std::string& column) { return "`" + column + "`"; }

std::string Number(double v) { return fmt::format("{}", v); }

// What a bin is, for people: "Lead Origin = API", "TotalVisits 3 to < 5", "City missing".
std::string BinText(const FeatureBins& f, const Bin& b) {
  switch (b.kind) {
    case BinKind::kMissing:
      return f.name + " missing";
    case BinKind::kLevel:
      return f.name + " = " + b.level;
    case BinKind::kOther:
      return f.name + " other values";
    case BinKind::kRange:
      if (std::isinf(b.low)) return fmt::format("{} < {}", f.name, Number(b.high));
      if (std::isinf(b.high)) return fmt::format("{} >= {}", f.name, Number(b.low));
      return fmt::format("{} {} to < {}", f.name, Number(b.low), Number(b.high));
  }
  return f.name;
}

// The placeholders that are numbers (`999`), as the engine reads such a cell of a numeric
// column: a number, which a range condition would take in unless told not to.
std::vector<double> NumericPlaceholders(const FeatureBins& f, const Column& column,
                                        const std::vector<std::string>& placeholders) {
  std::vector<double> out;
  if (f.kind != ColumnKind::kNumeric || column.derived || column.event) return out;
  for (const std::string& p : placeholders) {
    if (std::optional<double> v = ingest::ParseDecimal(TrimCell(p))) out.push_back(*v);
  }
  return out;
}

std::string NumberList(const std::vector<double>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + Number(values[i]);
  return out + "]";
}

// `declared_number`: the column is declared a number (a derived column reads it as one), so a
// placeholder that is text already reads as null; one that is a number does not.
std::string BinCondition(const FeatureBins& f, const Bin& b, const Column& column,
                         const std::vector<std::string>& placeholders, bool declared_number) {
  // A derived column is its expression: the engine computes it from the lead's attributes.
  const std::string x = column.derived ? "(" + column.derived->expr + ")" : Name(f.name);
  const bool placeholders_apply =
      column.had_placeholder && !placeholders.empty() && !declared_number;
  // A category column is declared a string. Training read a cell of blanks as missing and a
  // placeholder past its blanks (` Select`): the written rules read them so too.
  const bool text = f.kind == ColumnKind::kCategorical && !column.derived;
  const std::string compared = text ? "lower(trim(" + x + "))" : "lower(" + x + ")";
  // Training read these as missing in any column, whether or not it held them: so must the
  // written model, or a lead with `pdays` 999 earns the points of the top range.
  const std::vector<double> numeric_placeholders = NumericPlaceholders(f, column, placeholders);
  switch (b.kind) {
    case BinKind::kMissing: {
      std::string c = "not exists(" + x + ")";
      if (text) c += " or trim(" + x + ") == \"\"";
      if (!numeric_placeholders.empty()) {
        c += " or " + x + " in " + NumberList(numeric_placeholders);
      }
      // In a numeric column a placeholder in text (a JSON "999", an `Unknown`) is a string:
      // lower() of a number is null, so this clause cannot take in a real value.
      if (placeholders_apply) c += " or " + compared + " in " + ExprList(placeholders, true);
      return c;
    }
    case BinKind::kLevel:
      return x + " == " + ExprString(b.level);
    case BinKind::kOther: {
      std::vector<std::string> levels;
      for (const Bin& other : f.bins) {
        if (other.kind == BinKind::kLevel) levels.push_back(other.level);
      }
      std::string c = "exists(" + x + ")";
      if (!levels.empty()) c += " and not (" + x + " in " + ExprList(levels, false) + ")";
      if (text) c += " and trim(" + x + ") != \"\"";
      if (placeholders_apply) {
        c += " and not (" + compared + " in " + ExprList(placeholders, true) + ")";
      }
      return c;
    }
    case BinKind::kRange: {
      std::string c;
      if (std::isinf(b.low)) {
        c = x + " < " + Number(b.high);
      } else if (std::isinf(b.high)) {
        c = x + " >= " + Number(b.low);
      } else {
        c = x + " >= " + Number(b.low) + " and " + x + " < " + Number(b.high);
      }
      // Only the placeholders inside this range need leaving out: `pdays >= 7` takes 999 in.
      std::vector<double> inside;
      for (double v : numeric_placeholders) {
        if (v >= b.low && v < b.high) inside.push_back(v);
      }
      if (!inside.empty()) c += " and not (" + x + " in " + NumberList(inside) + ")";
      return c;
    }
  }
  return "false";
}

double RoundTo(double v, int decimals) {
  const double f = std::pow(10.0, decimals);
  return std::round(v * f) / f;
}

struct PointsTable {
  std::vector<double> points;  // per global column
  double max_total = 0;
  double scale = 0;   // points per unit of log-odds
  double offset = 0;  // the log-odds of a lead with 0 points
};

// Points per bin: the bin's weight above its feature's lowest (seen) weight, scaled so the
// best bin of every feature adds up to `budget`, then rounded.
PointsTable MakePoints(const Scorecard& card, double budget, int decimals) {
  const Binning& b = card.binning;
  double total_range = 0;
  std::vector<std::pair<double, double>> range(b.features.size());
  for (size_t f = 0; f < b.features.size(); ++f) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < b.features[f].bins.size(); ++i) {
      if (b.features[f].bins[i].rows == 0) continue;
      const double w = card.model.weights[b.offset[f] + i];
      lo = std::min(lo, w);
      hi = std::max(hi, w);
    }
    range[f] = {lo, hi};
    total_range += hi - lo;
  }
  PointsTable table;
  table.points.assign(b.columns, 0);
  const double scale = total_range > 0 ? budget / total_range : 0;
  table.scale = scale;
  table.offset = card.model.intercept;
  for (const auto& r : range) table.offset += r.first;
  for (size_t f = 0; f < b.features.size(); ++f) {
    const auto& bins = b.features[f].bins;
    double best = 0, sum = 0, rows = 0;
    for (size_t i = 0; i < bins.size(); ++i) {
      if (bins[i].rows == 0) continue;
      const double w = card.model.weights[b.offset[f] + i];
      const double p = RoundTo((w - range[f].first) * scale, decimals);
      table.points[b.offset[f] + i] = p;
      best = std::max(best, p);
      sum += p * bins[i].rows;
      rows += bins[i].rows;
    }
    // A bin no training lead fell in (a missing value never seen) says nothing either way:
    // it gets the attribute's average points.
    for (size_t i = 0; i < bins.size(); ++i) {
      if (bins[i].rows == 0) table.points[b.offset[f] + i] = RoundTo(sum / rows, decimals);
    }
    table.max_total += best;
  }
  return table;
}

// The rules of every event feature (by feature; empty for an attribute) at these points.
std::vector<EventRules> EventRulesOf(const Binning& binning, const LabeledTable& table,
                                     const PointsTable& points) {
  std::vector<EventRules> out(binning.features.size());
  for (size_t f = 0; f < binning.features.size(); ++f) {
    const FeatureBins& bins = binning.features[f];
    const auto& event = table.columns[bins.column].event;
    if (!event) continue;
    out[f] = RulesForEventFeature(
        bins, *event, std::span(points.points).subspan(binning.offset[f], bins.bins.size()));
  }
  return out;
}

// The comment of a bin's rule: its weight, weight of evidence and support.
std::string Support(const Scorecard& card, const Bin& bin, double weight) {
  const double positives = static_cast<double>(card.positives);
  const double negatives = static_cast<double>(card.rows - card.positives);
  const double bin_pos = static_cast<double>(bin.positives);
  const double bin_neg = static_cast<double>(bin.rows - bin.positives);
  const double woe =
      std::log(((bin_pos + 0.5) / (positives + 0.5)) / ((bin_neg + 0.5) / (negatives + 0.5)));
  return fmt::format("weight {:+.3f}, WoE {:+.3f}, {} leads ({:.1f} %), {:.1f} % converted", weight,
                     woe, bin.rows, 100.0 * bin.rows / std::max<double>(1, card.rows),
                     100.0 * bin_pos / std::max<double>(1, bin.rows));
}

// The score the written file gives each of `rows`: event features' points above their base
// are engagement, clamped at 0 (see event_rules.h).
std::vector<double> ScoresOf(const Scorecard& card, const LabeledTable& table,
                             std::span<const uint32_t> rows, const PointsTable& points) {
  const Binning& binning = card.binning;
  const size_t nf = binning.features.size();
  const std::vector<uint32_t> design = BinRows(binning, table, rows);
  const std::vector<EventRules> events = EventRulesOf(binning, table, points);
  std::vector<double> score(rows.size(), 0);
  for (size_t i = 0; i < rows.size(); ++i) {
    double engagement = 0;
    for (size_t f = 0; f < nf; ++f) {
      const double p = points.points[design[i * nf + f]];
      if (table.columns[binning.features[f].column].event) {
        score[i] += events[f].base;
        engagement += p - events[f].base;
      } else {
        score[i] += p;
      }
    }
    score[i] += std::max(0.0, engagement);
    // As `score` prints it: clamped to 0-100 and to the cent. Sums of points with decimals
    // added in another order differ in their last bits, which would break ties that the printed
    // scores keep, and the ranking from `score`'s output would not be the one measured here.
    score[i] = engine::Round2(std::clamp(score[i], 0.0, 100.0));
  }
  return score;
}

struct ChosenPoints {
  PointsTable points;
  int decimals = 0;
  double auc_model = 0;
  double auc_points = 0;
};

// The coarsest points (whole, else 1 or 2 decimals) that keep the model's ranking of `rows`
// within options.max_auc_loss, on a 0-100 scale.
ChosenPoints ChoosePoints(const Scorecard& card, const LabeledTable& table,
                          std::span<const uint32_t> rows, const ScorecardFileOptions& options) {
  const size_t nf = card.binning.features.size();
  const std::vector<uint32_t> design = BinRows(card.binning, table, rows);
  const std::vector<uint8_t> label = table.LabelsOf(rows);
  std::vector<double> logit(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    logit[i] = card.model.Logit(std::span(design).subspan(i * nf, nf));
  }
  ChosenPoints out;
  out.auc_model = Auc(logit, label);
  for (int decimals = 0; decimals <= 2; ++decimals) {
    double budget = 100;
    out.points = MakePoints(card, budget, decimals);
    while (out.points.max_total > 100 && budget > 90) {
      budget -= std::pow(10.0, -decimals);
      out.points = MakePoints(card, budget, decimals);
    }
    out.decimals = decimals;
    out.auc_points = Auc(ScoresOf(card, table, rows, out.points), label);
    if (out.auc_model - out.auc_points <= options.max_auc_loss) break;
  }
  return out;
}

}  // namespace

std::vector<double> WrittenProbabilities(const Scorecard& card, const LabeledTable& table,
                                         std::span<const uint32_t> train_rows,
                                         std::span<const uint32_t> rows,
                                         const ScorecardFileOptions& options) {
  const PointsTable points = ChoosePoints(card, table, train_rows, options).points;
  std::vector<double> p = ScoresOf(card, table, rows, points);
  const double slope = points.scale > 0 ? 1 / points.scale : 0;
  for (double& v : p) v = 1 / (1 + std::exp(-(points.offset + slope * v)));
  return p;
}

ScorecardFile WriteScorecard(const Scorecard& card, const LabeledTable& table,
                             std::span<const uint32_t> rows, const ScorecardFileOptions& options) {
  const Binning& binning = card.binning;
  const size_t nf = binning.features.size();
  const ChosenPoints chosen = ChoosePoints(card, table, rows, options);
  const PointsTable& points = chosen.points;
  ScorecardFile out;
  out.auc_model = chosen.auc_model;
  out.auc_points = chosen.auc_points;
  out.decimals = chosen.decimals;

  // score = scale * (logit - offset), so logit = offset + score / scale.
  out.offset = points.offset;
  out.slope = points.scale > 0 ? 1 / points.scale : 0;

  const double positives = static_cast<double>(card.positives);
  std::string y;
  y += fmt::format("# Scorecard learned by `leadscore train` from {}\n", Printable(options.source));
  y += fmt::format("#   {} leads, {} positive ({:.1f} %): {}\n", card.rows, card.positives,
                   100.0 * positives / std::max<double>(1, card.rows),
                   Printable(options.label_text));
  y += fmt::format(
      "#   logistic regression on binned attributes (L2 {}); training AUC {:.4f} for the "
      "model, {:.4f} for these points\n",
      card.l2, out.auc_model, out.auc_points);
  y += "# Points are on a 0-100 scale; a lead's score S means a probability of conversion of\n";
  y += fmt::format("#   1 / (1 + exp(-({:.6f} + {:.6f} * S)))\n", out.offset, out.slope);
  y += "# Each rule's comment: its weight in log-odds, its weight of evidence (WoE) and its\n";
  y += "# support (leads in the bin and how many of them converted) on the training rows.\n";
  y += "# The bin of each attribute with the lowest weight earns 0 points and has no rule.\n";
  y += "version: 1\n";
  y += "name: " + YamlQuote(options.name) + "\n";

  // Declared types: a column as training typed it, and every column a derived one reads.
  // A numeric column is declared a number even when it held a placeholder in text (`n/a`):
  // training read its numbers past their blanks (` 1.8 `, a JSON "1.8"), which the engine reads
  // as strings unless the field is a number, and the placeholder then reads as null, which the
  // missing bin takes in (`score` reports it as a value that does not convert).
  std::vector<std::pair<std::string, ColumnKind>> declared;
  auto declare = [&declared](const std::string& name, ColumnKind kind) {
    const bool known = std::any_of(declared.begin(), declared.end(),
                                   [&](const auto& d) { return d.first == name; });
    if (!known) declared.emplace_back(name, kind);
  };
  for (const FeatureBins& f : binning.features) {
    const Column& column = table.columns[f.column];
    if (column.event || column.derived) continue;
    declare(f.name, f.kind);
  }
  for (const FeatureBins& f : binning.features) {
    const Column& column = table.columns[f.column];
    if (!column.derived) continue;
    for (const auto& [name, kind] : column.derived->reads) declare(name, kind);
  }
  auto declared_number = [&declared](const std::string& name) {
    return std::any_of(declared.begin(), declared.end(), [&](const auto& d) {
      return d.first == name && d.second == ColumnKind::kNumeric;
    });
  };
  std::string fields;
  for (const auto& [name, kind] : declared) {
    fields += "  " + YamlQuote(name) + (kind == ColumnKind::kNumeric ? ": number\n" : ": string\n");
  }
  if (!fields.empty()) y += "fields:\n" + fields;

  y += "fit:\n  max: 100\n  rules:\n";
  std::set<std::string> ids;
  auto unique_id = [&ids](const std::string& wanted) {
    std::string id = wanted;
    for (int n = 2; !ids.insert(id).second; ++n) id = wanted + "_" + std::to_string(n);
    return id;
  };
  const std::vector<EventRules> events = EventRulesOf(binning, table, points);
  double event_base = 0;
  for (const EventRules& e : events) event_base += e.base;
  if (event_base != 0) {
    y += "    # The points of the event features for a lead with no event: the rules under\n";
    y += "    # engagement add or take away from here.\n";
    y += "    - id: " + unique_id("events_baseline") + "\n";
    y += "      points: " + fmt::format("{}", RoundTo(event_base, out.decimals)) + "\n";
    ++out.rules;
  }
  for (size_t fi = 0; fi < nf; ++fi) {
    const FeatureBins& f = binning.features[fi];
    const Column& column = table.columns[f.column];
    if (column.event) continue;
    std::string baseline;
    for (size_t i = 0; i < f.bins.size(); ++i) {
      const double p = points.points[binning.offset[fi] + i];
      if (f.bins[i].rows > 0 && p == 0) {
        baseline += (baseline.empty() ? "" : "; ") + BinText(f, f.bins[i]);
      }
    }
    y += fmt::format("    # {}: 0 points for {}\n", Printable(f.name),
                     baseline.empty() ? "-" : Printable(baseline));
    for (size_t i = 0; i < f.bins.size(); ++i) {
      const Bin& bin = f.bins[i];
      const double p = points.points[binning.offset[fi] + i];
      if (p == 0) continue;
      if (bin.rows == 0) {
        y += fmt::format("    # {}: no training lead had this; the attribute's average points\n",
                         Printable(BinText(f, bin)));
      } else {
        y += fmt::format("    # {}: {}\n", Printable(BinText(f, bin)),
                         Support(card, bin, card.model.weights[binning.offset[fi] + i]));
      }
      y += "    - id: " + unique_id(RuleId(BinText(f, bin))) + "\n";
      y += "      when: " +
           YamlSingleQuote(BinCondition(f, bin, column, options.placeholders,
                                        !column.derived && declared_number(f.name))) +
           "\n";
      y += "      points: " + fmt::format("{}", RoundTo(p, out.decimals)) + "\n";
      ++out.rules;
    }
  }
  std::string engagement;
  for (size_t fi = 0; fi < nf; ++fi) {
    const FeatureBins& f = binning.features[fi];
    for (const EventRule& r : events[fi].rules) {
      const Bin& bin = f.bins[r.bin];
      engagement += fmt::format("    # {}: {:+} points over the bin before; its bin: {}\n",
                                Printable(r.text), RoundTo(r.points, out.decimals),
                                Support(card, bin, card.model.weights[binning.offset[fi] + r.bin]));
      engagement += "    - id: " + unique_id(r.id) + "\n";
      for (const std::string& line : r.lines) engagement += "      " + line + "\n";
      engagement += "      points: " + fmt::format("{}", RoundTo(r.points, out.decimals)) + "\n";
      ++out.rules;
    }
  }
  if (!engagement.empty()) {
    y += "engagement:\n  max: 100\n  decay: none\n  rules:\n" + engagement;
  }
  out.yaml = std::move(y);
  return out;
}

}  // namespace leadscore::learn
