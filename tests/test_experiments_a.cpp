// The fast modes of the lecture's experiments bias_variance, regularization, batch_norm and
// batch_size, each checked against the experiment's qualitative conclusion.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "bias_variance.h"

namespace fs = std::filesystem;
using xg::experiments::RunOptions;

namespace {
RunOptions fast_options(const std::string& name) {
  RunOptions o;
  o.fast = true;
  o.quiet = true;
  o.out = (fs::temp_directory_path() / ("xgrad_experiments_a_" + name)).string();
  fs::remove_all(o.out);
  return o;
}
}  // namespace

TEST_CASE("experiment: bias_variance underfits at degree 1, overfits at the highest degree, and L2 helps") {
  const RunOptions o = fast_options("bias_variance");
  const auto r = xg::experiments::run_bias_variance(o);
  REQUIRE(r.degrees.size() >= 3);
  REQUIRE(r.degrees.front() == 1);
  const auto best = std::find(r.degrees.begin(), r.degrees.end(), r.best_degree) - r.degrees.begin();
  const auto last = r.degrees.size() - 1;
  // Dev error: the best degree beats both the underfitting line and the overfitting high degree.
  CHECK(r.dev_mse[best] < r.dev_mse[0]);
  CHECK(r.dev_mse[best] < r.dev_mse[last]);
  CHECK(r.best_degree >= 3);
  CHECK(r.best_degree <= 6);
  // Training error keeps falling with capacity: the highest degree fits the train set better.
  CHECK(r.train_mse[last] < r.train_mse[best]);
  // The L2 sweep on the highest degree: some λ > 0 beats λ = 0 on dev, and too much λ hurts again.
  REQUIRE(r.lambdas.front() == 0);
  CHECK(r.best_lambda > 0);
  const double best_sweep = *std::min_element(r.sweep_dev_mse.begin(), r.sweep_dev_mse.end());
  CHECK(best_sweep < r.sweep_dev_mse.front());
  CHECK(r.sweep_dev_mse.back() > best_sweep);
  CHECK(fs::exists(o.out + "/bias_variance/degree.csv"));
  CHECK(fs::exists(o.out + "/bias_variance/lambda.csv"));
}
