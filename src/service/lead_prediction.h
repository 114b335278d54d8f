// The live service's predictive score: a trees model (`leadscore train --kind trees`) run on
// one stored lead, its attributes and its events up to a time, beside the rule scores. The
// features are computed by the same code as in training and in `score --predictive`.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "learn/trees.h"
#include "service/predictive_features.h"
#include "store/store.h"

namespace leadscore::service {

struct Prediction {
  double probability = 0;
  std::vector<std::pair<std::string, double>> reasons;  // feature, log-odds; largest first
};

class LeadPredictor {
 public:
  static Result<std::unique_ptr<LeadPredictor>> Load(const std::string& path);

  // `events`: the lead's stored event bodies (JSON objects); those after `as_of` are not seen.
  Result<Prediction> Predict(const store::LeadRow& lead, const std::vector<std::string>& events,
                             Timestamp as_of, size_t top = 3) const;
  const std::string& path() const { return path_; }

 private:
  LeadPredictor(std::string path, std::unique_ptr<learn::TreeModel> model,
                PredictiveFeatures features)
      : path_(std::move(path)), model_(std::move(model)), features_(std::move(features)) {}

  std::string path_;
  std::unique_ptr<learn::TreeModel> model_;  // features_ views its encoding
  PredictiveFeatures features_;
  // XGBoost hands predictions back in a buffer owned by the booster: one request at a time.
  mutable std::mutex mu_;
};

}  // namespace leadscore::service
