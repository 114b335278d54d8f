// A trees model's probability of conversion beside the rule score of a batch run: the leads
// and events files are read once more into the features the model was trained on, as of the
// run's time, and each lead of the batch gets its prediction by lead_id.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"
#include "learn/training_set.h"
#include "learn/trees.h"
#include "service/batch_score.h"
#include "service/score_writer.h"

namespace leadscore::cli {

// How to read `leads` and `events` into the features `model` was trained on.
learn::TrainingSetOptions ScoringOptions(const learn::TreeModel& model, const std::string& leads,
                                         const std::string& events);

// Adds what `model` reads beyond the files' columns to `set` (read from `leads` and `events`
// as of `as_of`): its derived columns, and the rule features of the rule model it carries
// (each lead's history read from the files once more).
Status CompleteFeatures(const learn::TreeModel& model, learn::ScoringSet& set,
                        const std::string& leads, const std::string& events, Timestamp as_of);

// The columns `model` reads from the leads file that `set`'s file lacks (model order): its
// inputs that are lead attributes and the columns its derived inputs read; not the inputs
// counted from events, derived, or taken from its rule model.
std::vector<std::string> AbsentLeadColumns(const learn::TreeModel& model,
                                           const learn::ScoringSet& set);

// Warns when `model` counts each lead's events (it was trained on history) and no `events`
// file is given: every lead would read as having none, silently.
void WarnOfMissingEvents(const learn::TreeModel& model, const std::string& events);

// `top` > 0 adds each lead's `top` largest contributions. Leads known only from events (not in
// the leads file) get no prediction. Fails when `leads` is empty or cannot be read.
Result<service::PredictiveColumns> PredictBatch(const learn::TreeModel& model,
                                                const service::Batch& batch,
                                                const std::string& leads, const std::string& events,
                                                size_t top);

}  // namespace leadscore::cli
