#pragma once
// Experiment 1 (the lecture's bias-variance trade-off and L2 regularization): noisy samples of
// y = −x⁴ + 7x³ − 5x² − 31x + 30 fitted by polynomial-feature linear regression of rising
// degree (underfit → good fit near 4 → overfit), then an L2 λ sweep of J(θ) on the highest degree.
#include <vector>

#include "harness.h"

namespace xg::experiments {

struct BiasVarianceResult {
  std::vector<int> degrees;
  std::vector<double> train_mse, dev_mse;  // per degree, averaged over the repeats (standardized y units)
  int best_degree = 0;                     // lowest dev MSE
  int sweep_degree = 0;                    // the degree of the λ sweep (the highest)
  std::vector<double> lambdas;             // lambdas[0] == 0
  std::vector<double> sweep_train_mse, sweep_dev_mse;
  double best_lambda = 0;
  double noise_mse = 0;                    // the noise variance in standardized units: the floor
};

BiasVarianceResult run_bias_variance(const RunOptions& o);

}  // namespace xg::experiments
