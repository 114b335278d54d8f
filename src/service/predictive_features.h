// What a trees model reads beyond the columns of the data it scores: the derived columns of its
// feature config and the contributions of the rule model it was trained beside, computed on new
// leads exactly as training computed them. `predict`, `score --predictive` and the live service
// all complete their tables here before TreeModel::Predict.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "engine/compiled_model.h"
#include "learn/row_source.h"
#include "learn/table.h"
#include "learn/trees.h"

namespace leadscore::service {

class PredictiveFeatures {
 public:
  // Compiles the rule model the encoding carries, if any. `encoding` must outlive the result.
  static Result<PredictiveFeatures> For(const learn::TreeEncoding& encoding);

  // Adds the derived columns and the rule features to `table`, every row at `as_of`. Rule
  // features come from the records of `leads` and `events` (row r is lead ids[r], its events
  // up to as_of) for a model trained on history, from each row's attributes in `table` for one
  // trained on a table.
  Status Complete(learn::LabeledTable& table, std::span<const std::string> ids, Timestamp as_of,
                  const learn::SourceOpener& leads, const learn::SourceOpener& events) const;

 private:
  const learn::TreeEncoding* encoding_ = nullptr;
  std::shared_ptr<const engine::CompiledModel> rules_;
};

}  // namespace leadscore::service
