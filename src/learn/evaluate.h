// Cross-validation of the learners side by side on the same folds: each fold is held out in
// turn, every learner trains on the others and predicts it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "learn/folds.h"
#include "learn/metrics.h"
#include "learn/scorecard.h"
#include "learn/table.h"
#include "learn/trees.h"

namespace leadscore::learn {

enum class LearnerKind {
  kRules,  // a given rule model's score, calibrated on the training folds
  kScorecard,
  kTrees,
};
std::string_view LearnerName(LearnerKind kind);

struct FoldResult {
  int fold = 0;
  uint64_t train_rows = 0, test_rows = 0, test_positives = 0;
  Metrics metrics;
  double seconds = 0;
};

struct LearnerResult {
  std::string name;
  Metrics mean;  // mean over the folds
  std::vector<FoldResult> folds;
  std::vector<double> out_of_fold;  // each row's probability from the fold that held it out
  double seconds = 0;
};

struct EvaluateOptions {
  std::vector<LearnerKind> learners = {LearnerKind::kScorecard, LearnerKind::kTrees};
  // kRules: the rule model's score of every row (rule:score, rule_features.h). Its AUC and
  // PR-AUC rank by the score itself; its probabilities (log loss, Brier, deciles) come from
  // binning the score on the training folds.
  std::vector<double> rule_scores;
  // With both the scorecard and the trees: also their blend (the mean of their probabilities).
  bool blend = true;
  ScorecardOptions scorecard;
  TreeOptions trees;
  // Called before each learner trains on each fold: "scorecard", fold, folds.
  std::function<void(std::string_view learner, int fold, int folds)> on_progress;
};

Result<std::vector<LearnerResult>> CrossValidate(const LabeledTable& table, const Folds& folds,
                                                 const EvaluateOptions& options);

// The metric of each learner trained on 25, 50, 75 and 100 % of every training fold (a
// stratified, seeded subset), measured on the held-out folds: whether more outcomes would help.
struct LearningCurvePoint {
  double share = 0;
  uint64_t train_rows = 0;  // mean over the folds
  double auc = 0;           // mean over the folds
};
Result<std::vector<LearningCurvePoint>> LearningCurve(const LabeledTable& table, const Folds& folds,
                                                      LearnerKind learner,
                                                      const EvaluateOptions& options);

}  // namespace leadscore::learn
