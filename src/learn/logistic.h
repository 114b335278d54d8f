// L2-regularized logistic regression over a one-hot design (every row has exactly one active
// column per feature), minimized with L-BFGS (LBFGSpp, on Eigen vectors).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

namespace leadscore::learn {

struct OneHotDesign {
  std::span<const uint32_t> active;  // rows x features, row-major: the active column ids
  size_t features = 0;
  size_t columns = 0;
  size_t rows() const { return features == 0 ? 0 : active.size() / features; }
};

struct LogisticModel {
  Eigen::VectorXd weights;  // one per column
  double intercept = 0;
  int iterations = 0;

  double Logit(std::span<const uint32_t> active_of_row) const;
};

// Minimizes sum of log losses + l2/2 * |weights|^2 (the intercept is not penalized).
// `threads`: 0 for every core (used only on large designs, where it pays). `start`: a model
// over the same columns to start from (a warm start), or null to start from the base rate.
LogisticModel FitLogistic(const OneHotDesign& x, std::span<const uint8_t> label, double l2,
                          int threads = 0, const LogisticModel* start = nullptr);

double Sigmoid(double z);

}  // namespace leadscore::learn
