// leadscore check: validate a model and print what it holds.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "core/print_stderr.h"
#include "core/printable.h"
#include "core/value.h"
#include "expr/expr.h"

namespace leadscore::cli {
namespace {

std::string DurationText(double length_micros) {
  struct Unit {
    int64_t size;
    const char* name;
  } units[] = {{7 * kMicrosPerDay, "w"},
               {kMicrosPerDay, "d"},
               {3600 * kMicrosPerSecond, "h"},
               {60 * kMicrosPerSecond, "m"}};
  const auto micros = static_cast<int64_t>(length_micros);
  if (static_cast<double>(micros) == length_micros) {
    for (const auto& u : units) {
      if (micros % u.size == 0) return fmt::format("{}{}", micros / u.size, u.name);
    }
  }
  return fmt::format("{}s", FormatNumber(length_micros / kMicrosPerSecond));
}

std::string DecayText(const model::Decay& d) {
  switch (d.kind) {
    case model::DecayKind::kNone:
      return "no decay";
    case model::DecayKind::kHalfLife:
      return "half-life " + DurationText(d.micros);
    case model::DecayKind::kExpireAfter:
      return "expires after " + DurationText(d.micros);
  }
  return "";
}

std::string Points(double p) { return (p > 0 ? "+" : "") + FormatNumber(p); }

void PrintProgram(bool verbose, const expr::Program* program) {
  if (!verbose || !program) return;
  std::string listing = expr::Disassemble(*program);
  size_t start = 0;
  while (start < listing.size()) {
    size_t end = listing.find('\n', start);
    if (end == std::string::npos) end = listing.size();
    fmt::print("        | {}\n", listing.substr(start, end - start));
    start = end + 1;
  }
}

int RunCheck(const std::string& path, bool verbose) {
  auto model = LoadModelOrReport(path);
  if (!model) return kExitFailure;
  const model::ModelSpec& spec = model->spec();
  for (const auto& note : spec.notes) PrintToStderr("{} (note)\n", note.ToString());
  fmt::print("{}: ok: model `{}`, version {}\n", path, spec.name.empty() ? "(unnamed)" : spec.name,
             spec.version);
  if (!spec.fields.empty()) {
    fmt::print("fields:\n");
    for (const auto& [name, type] : spec.fields)
      fmt::print("  {}: {}\n", Printable(name), ValueTypeName(type));
  }
  if (!spec.lists.empty()) {
    fmt::print("lists:\n");
    for (const auto& [name, values] : spec.lists) {
      fmt::print("  @{}: {} value{}\n", Printable(name), values.size(),
                 values.size() == 1 ? "" : "s");
    }
  }
  // Rules without a group first, then each group with its cap and its rules.
  auto by_group = [](const auto& rules, const std::vector<model::Group>& groups,
                     const auto& print_rule) {
    for (size_t i = 0; i < rules.size(); ++i) {
      if (rules[i].group.empty()) print_rule(i, "  ");
    }
    for (const auto& g : groups) {
      fmt::print("  group {}{}:\n", Printable(g.id),
                 g.max ? " (max " + FormatNumber(*g.max) + ")" : std::string(" (no cap)"));
      for (size_t i = 0; i < rules.size(); ++i) {
        if (rules[i].group == g.id) print_rule(i, "    ");
      }
    }
  };
  fmt::print("fit (max {}):\n", FormatNumber(spec.fit.max));
  by_group(spec.fit.rules, spec.fit.groups, [&](size_t i, const char* indent) {
    const auto& r = spec.fit.rules[i];
    fmt::print("{}{:<18} {:>6}  when {}\n", indent, Printable(r.id), Points(r.points),
               r.when ? Printable(r.when->text) : "(always)");
    PrintProgram(verbose, model->fit_rules()[i].when.get());
  });
  fmt::print("engagement (max {}, default {}):\n", FormatNumber(spec.engagement.max),
             DecayText(spec.engagement.decay));
  by_group(spec.engagement.rules, spec.engagement.groups, [&](size_t i, const char* indent) {
    const auto& r = spec.engagement.rules[i];
    const auto& c = model->engagement_rules()[i];
    std::string how;
    if (r.count) {
      how = fmt::format(
          "when at least {} in {}", *r.count,
          r.within_micros ? DurationText(static_cast<double>(*r.within_micros)) : "all time");
    } else {
      how = (r.once ? "once, " : "each, ") + DecayText(c.decay);
      if (r.max) how += ", max " + FormatNumber(*r.max);
    }
    fmt::print("{}{:<18} {:>6}  on {}{} ({})\n", indent, Printable(r.id), Points(r.points),
               Printable(r.event), r.when ? " when " + Printable(r.when->text) : "", how);
    PrintProgram(verbose, c.when.get());
  });
  fmt::print("score = {} (clamped to 0..{})\n", Printable(spec.formula.text),
             FormatNumber(spec.score_max));
  PrintProgram(verbose, &model->formula());
  if (!spec.grades.empty()) {
    fmt::print("grades (first that holds):\n");
    for (const auto& g : spec.grades) {
      fmt::print("  {:<8} when {}\n", Printable(g.id), Printable(g.when.text));
    }
  }
  if (!spec.stages.empty()) {
    fmt::print("stages (last that holds):\n");
    for (const auto& s : spec.stages) {
      fmt::print("  {:<8} when {}\n", Printable(s.id), Printable(s.when.text));
    }
  }
  if (spec.accounts) {
    static const char* kAggregates[] = {"max", "mean", "sum", "top_mean"};
    fmt::print("accounts: key {}, aggregate {}", Printable(spec.accounts->key.text),
               kAggregates[static_cast<int>(spec.accounts->aggregate)]);
    if (spec.accounts->aggregate == model::Aggregate::kTopMean) {
      fmt::print(" of the top {}", spec.accounts->top);
    }
    fmt::print("\n");
  }
  auto print_names = [](const char* what, const auto& fields) {
    std::string names;
    for (const auto& field : fields) names += (names.empty() ? "" : ", ") + Printable(field.name);
    fmt::print("reads {}: {}\n", what, names.empty() ? "none" : names);
  };
  print_names("lead attributes", model->lead_fields());
  print_names("event properties", model->event_fields());
  return kExitOk;
}

}  // namespace

std::function<int()> SetupCheck(CLI::App& sub) {
  auto path = std::make_shared<std::string>();
  auto verbose = std::make_shared<bool>(false);
  sub.add_option("model", *path, "Model file (YAML)")->required();
  sub.add_flag("--verbose,-v", *verbose, "Also print each compiled expression's program");
  sub.footer("A broken model gets file:line:col: what is wrong, and exit code 1.");
  return [path, verbose] { return RunCheck(*path, *verbose); };
}

}  // namespace leadscore::cli
