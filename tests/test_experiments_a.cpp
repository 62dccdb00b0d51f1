// The fast modes of the lecture's experiments bias_variance, regularization, batch_norm and
// batch_size, each checked against the experiment's qualitative conclusion.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "batch_norm.h"
#include "batch_size.h"
#include "bias_variance.h"
#include "regularization.h"

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

TEST_CASE("experiment: regularization narrows the train-dev gap with L2 and with dropout") {
  const RunOptions o = fast_options("regularization");
  const auto r = xg::experiments::run_regularization(o);
  REQUIRE(r.runs.size() == 5);
  const auto& plain = r.plain();
  CHECK(plain.lambda == 0);
  CHECK(plain.keep == 1);
  CHECK(r.l2().lambda > 0);
  CHECK(r.strongest_dropout().keep == doctest::Approx(0.5));
  // The plain over-parameterized network overfits most: its gap is the largest.
  CHECK(plain.gap > r.l2().gap);
  CHECK(plain.gap > r.strongest_dropout().gap);
  CHECK(plain.final_train_acc > plain.final_dev_acc);
  for (const auto& run : r.runs) {
    CHECK(run.train_acc.size() == run.dev_acc.size());
    CHECK(run.final_dev_acc > 0.3);  // every run learns something (10 classes: chance is 0.1)
  }
  CHECK(fs::exists(o.out + "/regularization/epochs.csv"));
}

TEST_CASE("experiment: batch_norm lets the deep sigmoid network learn in a few epochs") {
  const RunOptions o = fast_options("batch_norm");
  const auto r = xg::experiments::run_batch_norm(o);
  REQUIRE(r.plain.dev_acc.size() == static_cast<std::size_t>(r.epochs + 1));
  REQUIRE(r.bn.dev_acc.size() == static_cast<std::size_t>(r.epochs + 1));
  // Same start (same linear weights), same epochs: batch norm ends with a lower training loss and
  // a higher dev accuracy.
  CHECK(r.bn.dev_acc.back() > r.plain.dev_acc.back());
  CHECK(r.bn.train_loss.back() < r.plain.train_loss.back());
  CHECK(r.bn.dev_acc.back() > r.plain.dev_acc.back() + 0.1);
  // The plain network's first layer barely gets a gradient (vanishing through 6 sigmoids).
  CHECK(r.plain.first_layer_grad.front() < r.bn.first_layer_grad.front());
  CHECK(fs::exists(o.out + "/batch_norm/epochs.csv"));
}

TEST_CASE("experiment: batch_size mini-batches beat full batch after the same epochs") {
  const RunOptions o = fast_options("batch_size");
  const auto r = xg::experiments::run_batch_size(o);
  const auto& full = r.run(r.m);
  // Steps per epoch: 1 for full batch, ⌊m/B⌋ + 1 = ⌈m/B⌉ for B not dividing m (drop_last=false).
  CHECK(full.steps_per_epoch == 1);
  CHECK(full.total_steps == r.epochs);
  for (const auto& run : r.runs) {
    CHECK(run.steps_per_epoch == (r.m + run.batch_size - 1) / run.batch_size);
    CHECK(run.total_steps == run.steps_per_epoch * r.epochs);
  }
  CHECK(r.run(1).steps_per_epoch == r.m);
  // After the same number of epochs, mini-batches (more, noisier steps) reach a lower training
  // loss than full batch.
  CHECK(r.run(16).final_train_loss < full.final_train_loss);
  CHECK(r.run(64).final_train_loss < full.final_train_loss);
  CHECK(fs::exists(o.out + "/batch_size/curves.csv"));
}
