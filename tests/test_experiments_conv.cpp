// The conv variants of the lecture's depth and normalization experiments (exp_batch_norm --conv,
// exp_gradients --conv), fast mode, each checked against the experiment's conclusion.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include <xgrad.h>

#include "batch_norm.h"
#include "gradients.h"

namespace fs = std::filesystem;
using xg::experiments::RunOptions;

namespace {
RunOptions fast_conv_options(const std::string& name) {
  RunOptions o;
  o.fast = true;
  o.quiet = true;
  o.conv = true;
  o.out = (fs::temp_directory_path() / ("xgrad_experiments_conv_" + name)).string();
  fs::remove_all(o.out);
  return o;
}
}  // namespace

TEST_CASE("experiment: batch_norm --conv, BatchNorm2d makes the sigmoid conv net learn faster from the same start") {
  const RunOptions o = fast_conv_options("batch_norm");
  const auto r = xg::experiments::run_batch_norm_conv(o);
  REQUIRE(r.plain.train_loss.size() == static_cast<std::size_t>(r.epochs + 1));
  REQUIRE(r.bn.train_loss.size() == static_cast<std::size_t>(r.epochs + 1));
  REQUIRE(r.plain.first_layer_grad.size() == static_cast<std::size_t>(r.epochs));
  // Same initial conv and linear weights, and BatchNorm2d starts as the identity map up to the
  // batch's own standardization: the two nets do not start identical, but both start near chance
  // (ln 10 = 2.303 for 10 classes).
  CHECK(r.plain.train_loss.front() == doctest::Approx(std::log(10.0)).epsilon(0.1));
  CHECK(r.bn.train_loss.front() == doctest::Approx(std::log(10.0)).epsilon(0.1));
  // At equal steps, batch norm reaches a lower training loss and a higher dev accuracy.
  CHECK(r.bn.train_loss.back() < r.plain.train_loss.back());
  CHECK(r.bn.dev_acc.back() > r.plain.dev_acc.back() + 0.1);
  // The first conv layer of the plain net gets a smaller gradient (vanishing through 4 sigmoids).
  CHECK(r.plain.first_layer_grad.front() < r.bn.first_layer_grad.front());
  CHECK(fs::exists(o.out + "/batch_norm_conv/epochs.csv"));
}

TEST_CASE("experiment: gradients --conv, sigmoid gradients vanish through a deep plain conv stack, ReLU with BatchNorm2d keeps them") {
  const RunOptions o = fast_conv_options("gradients");
  const auto r = xg::experiments::run_gradients_conv(o);
  CHECK(r.depth >= 8);
  CHECK(fs::exists(o.out + "/gradients_conv/layer_grad_norms.csv"));
  const auto& sigmoid = r.find("sigmoid", "default");
  const auto& relu_bn = r.find("relu", "default+bn");
  const auto& relu_he = r.find("relu", "he");
  INFO("sigmoid conv1 " << sigmoid.first_grad << ", ratio " << sigmoid.ratio << "; relu+bn conv1 " << relu_bn.first_grad
                        << ", ratio " << relu_bn.ratio << "; relu He ratio " << relu_he.ratio);
  // The first conv layer's gradient with sigmoid is orders of magnitude below ReLU + BN's.
  CHECK(sigmoid.first_grad < 1e-3 * relu_bn.first_grad);
  // and orders of magnitude below its own last conv layer's.
  CHECK(sigmoid.ratio < 1e-3);
  // ReLU with BatchNorm2d, and ReLU with He init, keep first/last within 10x.
  for (const auto* c : {&relu_bn, &relu_he}) {
    CHECK(c->ratio > 0.1);
    CHECK(c->ratio < 10);
  }
  // BatchNorm2d rescues even the sigmoid stack by orders of magnitude.
  CHECK(r.find("sigmoid", "default+bn").first_grad > 1e3 * sigmoid.first_grad);
  CHECK_THROWS_AS(r.find("relu", "no such init"), xg::ValueError);
}
