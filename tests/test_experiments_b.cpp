// The lecture's experiments 3 (gradients), 6 (optimizers) and 7 (transfer) in fast mode: each
// runs in a temporary folder and its qualitative conclusion is checked from the returned numbers.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "gradients.h"
#include "optimizers.h"
#include "transfer.h"

namespace fs = std::filesystem;
using namespace xg::experiments;

namespace {
RunOptions fast_options(const std::string& name) {
  RunOptions o;
  o.fast = true;
  o.quiet = true;
  o.out = (fs::temp_directory_path() / ("xgrad_experiments_b_" + name)).string();
  fs::remove_all(o.out);
  return o;
}
}  // namespace

TEST_CASE("experiment: gradients vanish with naive init, not with rho*c scaling; clipping keeps exploding runs finite") {
  const RunOptions o = fast_options("gradients");
  const GradientsResult r = run_gradients(o);
  CHECK(r.depth >= 20);
  CHECK(fs::exists(o.out + "/gradients/layer_grad_norms.csv"));
  CHECK(fs::exists(o.out + "/gradients/clipping.csv"));

  // Naive small init with tanh: the first layer's gradient is orders of magnitude below the last's.
  const auto& naive = r.find("tanh", "N(0,0.01^2)");
  CHECK(naive.ratio < 1e-3);
  // The lecture's w = rho*c: Xavier for tanh, He for ReLU keep first/last within 10x.
  for (const auto* c : {&r.find("tanh", "xavier"), &r.find("relu", "he")}) {
    INFO(c->name << ": ratio " << c->ratio);
    CHECK(c->ratio > 0.1);
    CHECK(c->ratio < 10);
    CHECK(c->max_grad / c->min_grad < 10);
  }
  // Naive N(0, 1) with ReLU: every layer's gradient is astronomically large.
  CHECK(r.find("relu", "N(0,1)").min_grad > 1e10);

  // Exploding: without clipping the loss or gradient norm becomes non-finite; clipped stays finite
  // and learns.
  CHECK_FALSE(r.unclipped.finite());
  CHECK(r.clipped.finite());
  CHECK(std::isfinite(r.clipped.final_loss));
  CHECK(r.clipped.final_loss < r.clipped.initial_loss);
}

TEST_CASE("experiment: optimizers on a ravine, a saddle and Fashion-MNIST; learning rates and decay") {
  const RunOptions o = fast_options("optimizers");
  const OptimizersResult r = run_optimizers(o);
  CHECK(fs::exists(o.out + "/optimizers/paths_ravine.csv"));
  CHECK(fs::exists(o.out + "/optimizers/fmnist_optimizers.csv"));

  // Ravine at the same lr: momentum, RMSProp and Adam need fewer steps than plain GD.
  const auto& gd = r.path("ravine", "GD");
  REQUIRE(gd.reached());
  for (const char* name : {"momentum", "momentum+bc", "RMSProp", "Adam"}) {
    const auto& p = r.path("ravine", name);
    INFO(name << ": " << p.steps_to_target << " steps, GD " << gd.steps_to_target);
    CHECK(p.reached());
    CHECK(p.steps_to_target < gd.steps_to_target);
  }
  // Saddle: GD escapes slower than the adaptive methods. (The lecture's momentum averages the
  // gradient, so at the same lr it escapes no faster than GD: not checked, reported.)
  const auto& gd_saddle = r.path("saddle", "GD");
  REQUIRE(gd_saddle.reached());
  for (const char* name : {"RMSProp", "Adam"}) {
    const auto& p = r.path("saddle", name);
    CHECK(p.reached());
    CHECK(p.steps_to_target < gd_saddle.steps_to_target);
  }

  // Fashion-MNIST: every optimizer learns (10 classes: chance is 10%).
  for (const auto& c : r.optimizers) {
    INFO(c.name);
    CHECK_FALSE(c.diverged);
    CHECK(c.final_accuracy() > 0.5);
  }
  // Learning rates: too large diverges or ends worse than a good lr; decay ends no worse than the
  // same large lr kept fixed; too small ends worse than good.
  const auto &good = r.rate("good"), &large = r.rate("large"), &decayed = r.rate("decayed"), &huge = r.rate("huge"),
             &small = r.rate("small");
  CHECK(small.final_accuracy() < good.final_accuracy());
  CHECK((large.diverged || large.final_accuracy() < good.final_accuracy()));
  CHECK((huge.diverged || huge.final_accuracy() < good.final_accuracy()));
  CHECK_FALSE(decayed.diverged);
  CHECK(decayed.final_accuracy() >= large.final_accuracy());
}

TEST_CASE("experiment: transfer beats training from scratch when the target set is tiny") {
  const RunOptions o = fast_options("transfer");
  const TransferResult r = run_transfer(o);
  CHECK(fs::exists(o.out + "/transfer/runs.csv"));
  CHECK(fs::exists(o.out + "/transfer/curves.csv"));
  CHECK(r.frozen_weights_identical);
  CHECK(r.source_dev_accuracy > 0.9);
  REQUIRE(!r.sizes.empty());
  const TransferSize& tiny = r.sizes.front();
  CHECK(tiny.per_class <= 5);
  REQUIRE(tiny.scratch.accuracy.size() >= 8);
  // Five classes: chance is 20%. Every method learns something from two images per class.
  for (const auto* s : {&tiny.frozen, &tiny.gradual, &tiny.scratch}) CHECK(s->mean() > 0.5);
  // Gradual unfreezing unfroze fc2, then fc1.
  REQUIRE(r.unfreeze_log.size() == 2);
  CHECK(r.unfreeze_log[0].find("fc2") != std::string::npos);
  CHECK(r.unfreeze_log[1].find("fc1") != std::string::npos);
  // The lecture's claim, measured over 8 draws of the tiny set (seeds fixed): +4.2 points. Over
  // 7 disjoint families of 8 draws it ranged from +0.1 to +4.3 (mean +2.5; single draws -7..+11),
  // so the 1.5-point margin holds for these seeds, not for any seeds.
  INFO("transfer " << tiny.best_transfer() << " vs from scratch " << tiny.scratch.mean() << " (lr " << tiny.scratch_lr << ")");
  CHECK(tiny.advantage() > 0.015);
}
