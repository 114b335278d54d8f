#include "learn/logistic.h"

#include <LBFGS.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

namespace leadscore::learn {
namespace {

// The objective divided by the number of rows, so that L-BFGS's tolerances mean the same on
// a thousand rows and on a million.
class Objective {
 public:
  Objective(const OneHotDesign& x, std::span<const uint8_t> label, double l2, int threads)
      : x_(x), label_(label), l2_(l2) {
    const unsigned cores = threads > 0 ? static_cast<unsigned>(threads)
                                       : std::max(1u, std::thread::hardware_concurrency());
    threads_ = x.rows() >= 50000 ? cores : 1;
    partial_grad_.assign(threads_, Eigen::VectorXd::Zero(x.columns + 1));
    partial_loss_.assign(threads_, 0.0);
  }

  // Parameters: weights, then the intercept last.
  double operator()(const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
    const size_t n = x_.rows();
    auto work = [&](unsigned t) {
      Eigen::VectorXd& g = partial_grad_[t];
      g.setZero();
      double loss = 0;
      const size_t begin = n * t / threads_, end = n * (t + 1) / threads_;
      const double b = theta[x_.columns];
      for (size_t i = begin; i < end; ++i) {
        const uint32_t* cols = x_.active.data() + i * x_.features;
        double z = b;
        for (size_t f = 0; f < x_.features; ++f) z += theta[cols[f]];
        // softplus(z) = max(z, 0) + log1p(e) and sigmoid(z) from e = exp(-|z|): one exp.
        const double e = std::exp(-std::abs(z));
        loss += std::max(z, 0.0) + std::log1p(e) - (label_[i] ? z : 0.0);
        const double sigmoid = z >= 0 ? 1 / (1 + e) : e / (1 + e);
        const double r = sigmoid - label_[i];
        for (size_t f = 0; f < x_.features; ++f) g[cols[f]] += r;
        g[x_.columns] += r;
      }
      partial_loss_[t] = loss;
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads_; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();

    grad = partial_grad_[0];
    double loss = partial_loss_[0];
    for (unsigned t = 1; t < threads_; ++t) {
      grad += partial_grad_[t];
      loss += partial_loss_[t];
    }
    const auto w = theta.head(x_.columns);
    loss += 0.5 * l2_ * w.squaredNorm();
    grad.head(x_.columns) += l2_ * w;
    grad /= static_cast<double>(n);
    loss /= static_cast<double>(n);
    if (loss < best_loss_) {
      best_loss_ = loss;
      best_theta_ = theta;
    }
    return loss;
  }

  // The parameters with the lowest objective evaluated so far.
  const Eigen::VectorXd& best_theta() const { return best_theta_; }

 private:
  const OneHotDesign& x_;
  std::span<const uint8_t> label_;
  double l2_;
  unsigned threads_ = 1;
  std::vector<Eigen::VectorXd> partial_grad_;
  std::vector<double> partial_loss_;
  double best_loss_ = INFINITY;
  Eigen::VectorXd best_theta_;
};

}  // namespace

double Sigmoid(double z) {
  if (z >= 0) return 1 / (1 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1 + e);
}

double LogisticModel::Logit(std::span<const uint32_t> active_of_row) const {
  double z = intercept;
  for (uint32_t c : active_of_row) z += weights[c];
  return z;
}

LogisticModel FitLogistic(const OneHotDesign& x, std::span<const uint8_t> label, double l2,
                          int threads, const LogisticModel* start) {
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(x.columns + 1);
  // Start at the base rate: the intercept alone.
  double positives = 0;
  for (uint8_t y : label) positives += y;
  const double rate = std::clamp(positives / std::max<size_t>(1, label.size()), 1e-6, 1 - 1e-6);
  theta[x.columns] = std::log(rate / (1 - rate));
  if (start) {
    theta.head(x.columns) = start->weights;
    theta[x.columns] = start->intercept;
  }

  LBFGSpp::LBFGSParam<double> param;
  param.epsilon = 1e-7;
  param.epsilon_rel = 1e-7;
  param.past = 1;
  param.delta = 1e-10;
  param.max_iterations = 1000;
  LBFGSpp::LBFGSSolver<double> solver(param);
  Objective objective(x, label, l2, threads);
  double fx = 0;
  LogisticModel model;
  try {
    model.iterations = solver.minimize(objective, theta, fx);
  } catch (const std::runtime_error&) {
    // The line search gave up close to the minimum, where the objective is flat to rounding;
    // the best point it evaluated is as good as the data can tell apart.
    model.iterations = -1;
    theta = objective.best_theta();
  }
  model.weights = theta.head(x.columns);
  model.intercept = theta[x.columns];
  return model;
}

}  // namespace leadscore::learn
