// Reading model files: YAML text -> ModelSpec, with every problem reported as a Diagnostic.
//
// The loader checks the shape of the file (known keys, types of values, durations, unique rule
// ids, declared groups, the combinations SCORING.md forbids) and collects all problems rather
// than stopping at the first. Expressions stay text here; engine::Compile checks them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"
#include "model/model_spec.h"

namespace leadscore::model {

struct LoadResult {
  // Set whenever the file is a readable YAML map, so that later checks (the expressions) can
  // report their problems too; usable as a model only when `diagnostics` is empty.
  std::optional<ModelSpec> spec;
  std::vector<Diagnostic> diagnostics;  // in file order
  bool ok() const { return spec && diagnostics.empty(); }
};

// Parses a model from YAML text; `file` names it in diagnostics.
LoadResult ParseModel(std::string_view yaml, const std::string& file);

// Reads and parses a model file. A file that cannot be read is one diagnostic without a line.
LoadResult LoadModelFile(const std::string& path);

}  // namespace leadscore::model
