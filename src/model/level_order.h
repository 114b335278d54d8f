// Grades and stages that can never be given, found where their conditions are thresholds.
//
// A grade is the first whose condition holds, a stage the last (SCORING.md). So a grade after
// `fit >= 25` that asks `fit >= 40` is never given, nor a stage `SQL: score >= 80` listed before
// `MQL: score >= 50`: whenever it holds, the other does too and wins. The model is valid as
// written; `leadscore check` notes the level, since the order is most likely a slip.
//
// Only conditions of the forms `true`, `NAME >= NUMBER` and `NAME > NUMBER` are compared: those
// are what graded and staged models are made of, and any other pair is left alone.
#pragma once

#include <vector>

#include "model/diagnostic.h"
#include "model/model_spec.h"

namespace leadscore::model {

// A note for each grade and stage of `spec` that another one always overrides.
std::vector<Diagnostic> UnreachableLevels(const ModelSpec& spec);

}  // namespace leadscore::model
