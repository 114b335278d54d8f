#include "model/level_order.h"

#include <re2/re2.h>

#include <optional>
#include <string>

namespace leadscore::model {
namespace {

// The leads a threshold condition holds for: `name` above `bound` (or at it when `inclusive`);
// an empty name is `true`, which holds for every lead.
struct Threshold {
  std::string name;
  double bound = 0;
  bool inclusive = true;
};

std::optional<Threshold> ReadThreshold(const std::string& text) {
  static const re2::RE2 kTrue(R"(\s*true\s*)");
  static const re2::RE2 kCompare(
      R"(\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|>)\s*([0-9]+(?:\.[0-9]+)?)\s*)");
  if (re2::RE2::FullMatch(text, kTrue)) return Threshold{};
  Threshold t;
  std::string op;
  if (!re2::RE2::FullMatch(text, kCompare, &t.name, &op, &t.bound)) return std::nullopt;
  t.inclusive = op == ">=";
  return t;
}

// Whether every lead that meets `inner` also meets `outer`.
bool Within(const Threshold& inner, const Threshold& outer) {
  if (outer.name.empty()) return true;
  if (inner.name != outer.name) return false;
  if (inner.bound != outer.bound) return inner.bound > outer.bound;
  return outer.inclusive || !inner.inclusive;
}

std::string Shown(const Level& level) { return "`" + level.id + "` (" + level.when.text + ")"; }

// The level that always wins over level `k`: one before it (`before`, grades) or after it
// (stages) that holds for every lead it holds for. -1 when none does.
int Overrider(const std::vector<std::optional<Threshold>>& levels, size_t k, bool before) {
  if (!levels[k]) return -1;
  const size_t from = before ? 0 : k + 1, to = before ? k : levels.size();
  for (size_t i = from; i < to; ++i) {
    if (levels[i] && Within(*levels[k], *levels[i])) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

std::vector<Diagnostic> UnreachableLevels(const ModelSpec& spec) {
  std::vector<Diagnostic> notes;
  std::vector<std::optional<Threshold>> grades, stages;
  for (const Level& g : spec.grades) grades.push_back(ReadThreshold(g.when.text));
  for (const Level& s : spec.stages) stages.push_back(ReadThreshold(s.when.text));
  for (size_t k = 0; k < grades.size(); ++k) {
    const int i = Overrider(grades, k, /*before=*/true);
    if (i < 0) continue;
    notes.push_back({spec.file, spec.grades[k].pos,
                     "grade " + Shown(spec.grades[k]) + " is never given: grade " +
                         Shown(spec.grades[i]) +
                         ", before it, holds whenever it does (the grade is the first whose "
                         "condition holds: list grades from the highest)"});
  }
  for (size_t k = 0; k < stages.size(); ++k) {
    const int j = Overrider(stages, k, /*before=*/false);
    if (j < 0) continue;
    notes.push_back({spec.file, spec.stages[k].pos,
                     "stage " + Shown(spec.stages[k]) + " is never reached: stage " +
                         Shown(spec.stages[j]) +
                         ", after it, holds whenever it does (the stage is the last whose "
                         "condition holds: list stages from the lowest)"});
  }
  return notes;
}

}  // namespace leadscore::model
