#include "learn/evaluate.h"

#include <chrono>
#include <cmath>

#include "learn/scorecard_writer.h"

namespace leadscore::learn {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Result<std::vector<double>> TrainAndPredict(LearnerKind kind, const LabeledTable& table,
                                            std::span<const uint32_t> train,
                                            std::span<const uint32_t> test,
                                            const EvaluateOptions& options) {
  switch (kind) {
    case LearnerKind::kRules: {
      LabeledTable scores;
      scores.label = table.label;
      scores.columns.push_back(
          {.name = "rule score", .kind = ColumnKind::kNumeric, .values = options.rule_scores});
      ScorecardOptions calibration = options.scorecard;
      calibration.binning.max_bins = 20;
      return TrainScorecard(scores, train, calibration).Predict(scores, test);
    }
    case LearnerKind::kScorecard:
      // The file `train` writes, its points rounded as written: what a user deploys.
      return WrittenProbabilities(TrainScorecard(table, train, options.scorecard), table, train,
                                  test, ScorecardFileOptions{});
    case LearnerKind::kTrees: {
      LS_ASSIGN_OR_RETURN(TreeModel model, TrainTrees(table, train, options.trees));
      return model.Predict(table, test);
    }
  }
  return Error(Internal("unknown learner"));
}

Metrics MeanOf(const std::vector<FoldResult>& folds) {
  Metrics m;
  for (const FoldResult& f : folds) {
    m.auc += f.metrics.auc / folds.size();
    m.pr_auc += f.metrics.pr_auc / folds.size();
    m.log_loss += f.metrics.log_loss / folds.size();
    m.brier += f.metrics.brier / folds.size();
  }
  return m;
}

// The mean of the scorecard's and the trees' probabilities, fold by fold: what scoring with
// both and averaging gives. Each fold's figures come from the two models trained on it.
LearnerResult Blend(const LabeledTable& table, const Folds& folds, const LearnerResult& a,
                    const LearnerResult& b) {
  LearnerResult blend;
  blend.name = "blend";
  blend.out_of_fold.assign(table.rows(), NAN);
  for (size_t i = 0; i < table.rows(); ++i) {
    blend.out_of_fold[i] = 0.5 * (a.out_of_fold[i] + b.out_of_fold[i]);
  }
  for (size_t f = 0; f < a.folds.size(); ++f) {
    FoldResult fold = a.folds[f];
    std::vector<double> p;
    std::vector<uint8_t> label;
    for (uint32_t r = 0; r < table.rows(); ++r) {
      if (folds.fold[r] != fold.fold) continue;
      p.push_back(blend.out_of_fold[r]);
      label.push_back(table.label[r]);
    }
    fold.metrics = Measure(p, label);
    fold.seconds = a.folds[f].seconds + b.folds[f].seconds;
    blend.folds.push_back(fold);
  }
  blend.mean = MeanOf(blend.folds);
  blend.seconds = a.seconds + b.seconds;
  return blend;
}

}  // namespace

std::string_view LearnerName(LearnerKind kind) {
  switch (kind) {
    case LearnerKind::kRules:
      return "rules";
    case LearnerKind::kScorecard:
      return "scorecard";
    case LearnerKind::kTrees:
      return "trees";
  }
  return "";
}

Result<std::vector<LearnerResult>> CrossValidate(const LabeledTable& table, const Folds& folds,
                                                 const EvaluateOptions& options) {
  std::vector<LearnerResult> results;
  for (LearnerKind kind : options.learners) {
    LearnerResult result;
    result.name = std::string(LearnerName(kind));
    result.out_of_fold.assign(table.rows(), NAN);
    const auto learner_start = Clock::now();
    for (int k = folds.holdout ? 1 : 0; k < folds.k; ++k) {
      if (options.on_progress) options.on_progress(result.name, k, folds.k);
      std::vector<uint32_t> train, test;
      for (uint32_t r = 0; r < table.rows(); ++r) (folds.fold[r] == k ? test : train).push_back(r);
      if (test.empty()) continue;
      const auto start = Clock::now();
      LS_ASSIGN_OR_RETURN(std::vector<double> p,
                          TrainAndPredict(kind, table, train, test, options));
      FoldResult fold;
      fold.fold = k;
      fold.seconds = SecondsSince(start);
      fold.train_rows = train.size();
      fold.test_rows = test.size();
      const std::vector<uint8_t> label = table.LabelsOf(test);
      for (uint8_t y : label) fold.test_positives += y;
      fold.metrics = Measure(p, label);
      if (kind == LearnerKind::kRules) {
        std::vector<double> raw;
        for (uint32_t r : test) raw.push_back(options.rule_scores[r]);
        fold.metrics.auc = Auc(raw, label);
        fold.metrics.pr_auc = AveragePrecision(raw, label);
      }
      for (size_t i = 0; i < test.size(); ++i) result.out_of_fold[test[i]] = p[i];
      result.folds.push_back(fold);
    }
    result.mean = MeanOf(result.folds);
    result.seconds = SecondsSince(learner_start);
    results.push_back(std::move(result));
  }
  if (options.blend) {
    const LearnerResult* scorecard = nullptr;
    const LearnerResult* trees = nullptr;
    for (const LearnerResult& r : results) {
      if (r.name == LearnerName(LearnerKind::kScorecard)) scorecard = &r;
      if (r.name == LearnerName(LearnerKind::kTrees)) trees = &r;
    }
    if (scorecard && trees) results.push_back(Blend(table, folds, *scorecard, *trees));
  }
  return results;
}

Result<std::vector<LearningCurvePoint>> LearningCurve(const LabeledTable& table, const Folds& folds,
                                                      LearnerKind learner,
                                                      const EvaluateOptions& options) {
  std::vector<LearningCurvePoint> curve;
  for (double share : {0.25, 0.5, 0.75, 1.0}) {
    LearningCurvePoint point;
    point.share = share;
    const int first = folds.holdout ? 1 : 0;
    uint64_t train_rows = 0;  // over the folds, averaged once (not truncated fold by fold)
    for (int k = first; k < folds.k; ++k) {
      std::vector<uint32_t> train, test;
      for (uint32_t r = 0; r < table.rows(); ++r) (folds.fold[r] == k ? test : train).push_back(r);
      if (share < 1.0) {
        train = StratifiedSplit(train, table.label, 1.0 - share, options.trees.seed + k).fit;
      }
      LS_ASSIGN_OR_RETURN(std::vector<double> p,
                          TrainAndPredict(learner, table, train, test, options));
      train_rows += train.size();
      point.auc += Auc(p, table.LabelsOf(test)) / (folds.k - first);
    }
    point.train_rows =
        static_cast<uint64_t>(std::llround(static_cast<double>(train_rows) / (folds.k - first)));
    curve.push_back(point);
  }
  return curve;
}

}  // namespace leadscore::learn
