// The bad-input matrix (issue #9): realistic misuses across the whole API (tensor ops, nn modules
// and losses, optimizers, data splits and loaders, io). Each case checks
//   (a) the exact xg::Error subtype,
//   (b) that the message names the op and the offending shapes / dtypes / values,
//   (c) that nothing was changed by the failed call: input values and version counters, module
//       and optimizer state_dicts, files on disk (byte for byte).
// tests/test_errors.cpp holds the basic per-type cases; this file does not repeat them.
#include <doctest/doctest.h>

#include "check.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "xgrad.h"

namespace {

namespace fs = std::filesystem;
namespace nn = xg::nn;
namespace F = xg::nn::functional;
namespace optim = xg::optim;
namespace data = xg::data;

using xgt::bitwise_equal;
using xgt::deep_copy;
using xgt::f64;
using xgt::i64;
using xgt::MLP;
using xgt::read_file;
using xgt::Snapshot;
using xgt::TempDir;
using xgt::write_file;

// One optimizer step with a simple loss, so the optimizer has state buffers.
void train_step(nn::Module& m, optim::Optimizer& opt, std::int64_t in) {
  opt.zero_grad();
  const xg::Tensor x = xg::ones({4, in});
  xg::sum(xg::square(m(x))).backward();
  opt.step();
}

}  // namespace


// =============================================================================================
// tensor ops
// =============================================================================================

TEST_CASE("bad input: tensor ops") {
  SUBCASE("broadcasting mismatch in a 3-D element-wise op (in place: target unchanged)") {
    xg::Tensor a = xg::ones({2, 3, 4});
    const xg::Tensor b = xg::ones({3, 5});
    const Snapshot sa(a), sb(b);
    XGT_CHECK_THROWS_MSG(xg::div(a, b), xg::ShapeError, "div", "[2, 3, 4]", "[3, 5]", "4 vs 5");
    XGT_CHECK_THROWS_MSG(a.mul_(b), xg::ShapeError, "mul_", "[2, 3, 4]", "[3, 5]");
    CHECK(sa.unchanged());
    CHECK(sb.unchanged());
  }
  SUBCASE("broadcasting mismatch in where and pow") {
    const xg::Tensor c = xg::ones({2, 3}), x = xg::ones({2, 3}), y = xg::ones({4, 3});
    XGT_CHECK_THROWS_MSG(xg::where(c, x, y), xg::ShapeError, "where", "[2, 3]", "[4, 3]");
    XGT_CHECK_THROWS_MSG(xg::pow(x, y), xg::ShapeError, "pow", "[2, 3]", "[4, 3]");
  }
  SUBCASE("matmul inner-dim mismatch, batched, and batch dims that do not broadcast") {
    const xg::Tensor a = xg::ones({2, 3, 4}, xg::kFloat64).requires_grad_();
    const Snapshot sa(a);
    XGT_CHECK_THROWS_MSG(xg::matmul(a, xg::ones({2, 5, 6}, xg::kFloat64)), xg::ShapeError, "matmul", "[2, 3, 4]",
                         "[2, 5, 6]", "4 vs 5");
    // (the message names only the batch dims, [2] and [3], not the operands' full shapes)
    XGT_CHECK_THROWS_MSG(xg::matmul(a, xg::ones({3, 4, 2}, xg::kFloat64)), xg::ShapeError, "matmul", "batch", "[2]",
                         "[3]", "2 vs 3");
    CHECK(sa.unchanged());
    CHECK(a.is_leaf());
    CHECK_FALSE(a.grad().defined());
  }
  SUBCASE("int64 into float-only ops") {
    const xg::Tensor i = i64({1, 2, 3});
    const Snapshot si(i);
    XGT_CHECK_THROWS_MSG(xg::sigmoid(i), xg::DTypeError, "sigmoid", "int64");
    XGT_CHECK_THROWS_MSG(xg::tanh(i), xg::DTypeError, "tanh", "int64");
    XGT_CHECK_THROWS_MSG(xg::logsumexp(i, {0}), xg::DTypeError, "logsumexp", "int64");
    XGT_CHECK_THROWS_MSG(xg::matmul(xg::ones({2, 3}), xg::ones({3, 2}, xg::kInt64)), xg::DTypeError, "matmul",
                         "float32", "int64");
    CHECK(si.unchanged());
  }
  SUBCASE("max / min / mean of an empty tensor") {
    const xg::Tensor e = xg::zeros({0}, xg::kFloat64);
    XGT_CHECK_THROWS_MSG(xg::max(e), xg::ValueError, "max", "[0]");
    XGT_CHECK_THROWS_MSG(xg::min(e), xg::ValueError, "min", "[0]");
    XGT_CHECK_THROWS_MSG(xg::mean(xg::zeros({2, 0}, xg::kFloat64), {1}), xg::ValueError, "mean", "[2, 0]");
  }
  SUBCASE("max along an empty dim") {
    XGT_CHECK_THROWS_MSG(xg::max(xg::zeros({3, 0}), 1), xg::ValueError, "max", "[3, 0]");
  }
  SUBCASE("out-of-range dims in shape ops") {
    const xg::Tensor x = xg::ones({2, 3});
    XGT_CHECK_THROWS_MSG(xg::cat({x, x}, 2), xg::IndexError, "cat", "dim 2");
    XGT_CHECK_THROWS_MSG(xg::stack({x, x}, 4), xg::IndexError, "stack", "dim 4");
    XGT_CHECK_THROWS_MSG(xg::squeeze(x, 3), xg::IndexError, "squeeze", "dim 3");
    XGT_CHECK_THROWS_MSG(xg::max(x, -3), xg::IndexError, "max", "dim -3");
    XGT_CHECK_THROWS_MSG(xg::permute(x, {0, 2}), xg::IndexError, "permute");
  }
  SUBCASE("out-of-range indices in scatter_add / index_add (target unchanged)") {
    const xg::Tensor x = xg::zeros({3, 2});
    const Snapshot sx(x);
    XGT_CHECK_THROWS_MSG(xg::index_add(x, 0, i64({0, 3}), xg::ones({2, 2})), xg::IndexError, "index_add", "index 3",
                         "size 3");
    XGT_CHECK_THROWS_MSG(
        xg::scatter_add(x, 0, xg::from_vector(std::vector<std::int64_t>{0, 7}, {1, 2}), xg::ones({1, 2})),
        xg::IndexError, "scatter_add", "index 7", "size 3");
    CHECK(sx.unchanged());
  }
  SUBCASE("NaN / Inf where the op cannot accept them") {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const xg::Tensor p = xg::from_vector(std::vector<double>{0.2, nan}, {2}, true);
    const Snapshot sp(p);
    XGT_CHECK_THROWS_MSG(F::binary_cross_entropy(p, f64({0, 1}, {2}, false)), xg::ValueError, "binary_cross_entropy",
                         "nan");
    CHECK(sp.unchanged());
    XGT_CHECK_THROWS_MSG(xg::arange(0, inf, 1), xg::ValueError, "arange", "inf");
    XGT_CHECK_THROWS_MSG(xg::arange(nan, 5, 1), xg::ValueError, "arange", "nan");
  }
}

// =============================================================================================
// autograd
// =============================================================================================

TEST_CASE("bad input: autograd") {
  SUBCASE("backward on an unreduced loss (reduction none) without a gradient: existing grads unchanged") {
    xg::Tensor w = f64({1, 2}, {2});
    xg::sum(w * 3.0).backward();  // w.grad() = [3, 3]
    const Snapshot sg(w.grad());
    const xg::Tensor per_example = F::mse_loss(w * 2.0, f64({0, 0}, {2}, false), nn::Reduction::None);
    XGT_CHECK_THROWS_MSG(per_example.backward(), xg::AutogradError, "backward", "single-element", "[2]");
    CHECK(sg.unchanged());
  }
  SUBCASE("backward twice through a cross_entropy graph: gradient not accumulated again") {
    xg::Tensor logits = xg::from_vector(std::vector<double>{1, 2, 3, 0, 0, 1}, {2, 3}, true);
    const xg::Tensor loss = F::cross_entropy(logits, i64({2, 0}));
    loss.backward();
    const Snapshot sg(logits.grad());
    XGT_CHECK_THROWS_MSG(loss.backward(), xg::AutogradError, "backward", "second time", "retain_graph");
    CHECK(sg.unchanged());
  }
  SUBCASE("an optimizer step between forward and backward overwrites a saved weight") {
    nn::Linear lin(3, 2);
    optim::SGD opt(lin.parameters(), optim::SGDOptions(0.1));
    const xg::Tensor loss1 = xg::sum(xg::square(lin(xg::ones({4, 3}))));
    // A gradient for the step, from a separate graph.
    xg::sum(lin(xg::ones({1, 3}))).backward();
    opt.step();  // bumps weight's version: loss1's graph saved the old weight
    const Snapshot sw(lin.weight), swg(lin.weight.grad());
    // Linear's weight is at version 1 after its initialization, so the step makes it 2.
    XGT_CHECK_THROWS_MSG(loss1.backward(), xg::AutogradError, "backward", "matmul", "[2, 3]", "in-place",
                         "optimizer.step", "version is 2", "expected 1");
    CHECK(sw.unchanged());
    CHECK(swg.unchanged());
  }
  SUBCASE("a sigmoid output changed in place under NoGradGuard") {
    const xg::Tensor x = f64({0, 1}, {2});
    xg::Tensor y = xg::sigmoid(x);
    {
      xg::NoGradGuard ng;
      y.fill_(0.5);
    }
    XGT_CHECK_THROWS_MSG(xg::sum(y).backward(), xg::AutogradError, "sigmoid", "fill_", "version is 1", "expected 0");
    CHECK_FALSE(x.grad().defined());
  }
}

// =============================================================================================
// nn: modules and losses
// =============================================================================================

TEST_CASE("bad input: nn modules") {
  SUBCASE("Linear with zero or negative sizes") {
    XGT_CHECK_THROWS_MSG(nn::Linear(0, 3), xg::ValueError, "Linear", "in=0");
    XGT_CHECK_THROWS_MSG(nn::Linear(4, -1), xg::ValueError, "Linear", "out=-1");
  }
  SUBCASE("Linear forward with the wrong number of features (module unchanged)") {
    nn::Linear lin(3, 2);
    const xg::StateDict before = deep_copy(lin.state_dict());
    XGT_CHECK_THROWS_MSG(lin(xg::ones({4, 5})), xg::ShapeError, "linear", "[4, 5]", "[2, 3]");
    CHECK(bitwise_equal(lin.state_dict(), before));
  }
  SUBCASE("BatchNorm1d with the wrong feature count: running statistics unchanged") {
    nn::BatchNorm1d bn(4);
    bn.train();
    (void)bn(xg::randn({8, 4}));  // moves the running stats away from 0/1
    const xg::StateDict before = deep_copy(bn.state_dict());
    XGT_CHECK_THROWS_MSG(bn(xg::randn({8, 3})), xg::ShapeError, "BatchNorm1d", "4", "[8, 3]");
    CHECK(bitwise_equal(bn.state_dict(), before));
  }
  SUBCASE("Dropout with p outside [0, 1] or NaN") {
    XGT_CHECK_THROWS_MSG(nn::Dropout(1.5), xg::ValueError, "Dropout", "1.5");
    XGT_CHECK_THROWS_MSG(nn::Dropout(std::nan("")), xg::ValueError, "Dropout", "nan");
  }
  SUBCASE("load_state_dict with a missing key: reported, nothing loaded") {
    MLP m(3, 4, 2);
    const xg::StateDict before = deep_copy(m.state_dict());
    xg::StateDict sd = deep_copy(before);
    for (auto& [k, v] : sd) v.fill_(7.0);
    sd.erase("fc2.bias");
    XGT_CHECK_THROWS_MSG(m.load_state_dict(sd), xg::ValueError, "load_state_dict", "missing", "fc2.bias");
    CHECK(bitwise_equal(m.state_dict(), before));
  }
  SUBCASE("load_state_dict with an extra key: reported, nothing loaded") {
    MLP m(3, 4, 2);
    const xg::StateDict before = deep_copy(m.state_dict());
    xg::StateDict sd = deep_copy(before);
    for (auto& [k, v] : sd) v.fill_(7.0);
    sd["fc3.weight"] = xg::ones({2, 2});
    XGT_CHECK_THROWS_MSG(m.load_state_dict(sd), xg::ValueError, "load_state_dict", "unexpected", "fc3.weight");
    CHECK(bitwise_equal(m.state_dict(), before));
  }
  SUBCASE("load_state_dict with a mis-shaped key (even non-strict): reported, nothing loaded") {
    MLP m(3, 4, 2);
    const xg::StateDict before = deep_copy(m.state_dict());
    xg::StateDict sd = deep_copy(before);
    for (auto& [k, v] : sd) v.fill_(7.0);
    sd["fc1.weight"] = xg::ones({4, 5});
    // ValueError (not ShapeError): load_state_dict reports every kind of mismatch together.
    XGT_CHECK_THROWS_MSG(m.load_state_dict(sd), xg::ValueError, "MLP.load_state_dict", "nothing was loaded",
                         "fc1.weight", "[4, 5]", "[4, 3]");
    XGT_CHECK_THROWS_MSG(m.load_state_dict(sd, false), xg::ValueError, "MLP.load_state_dict", "fc1.weight", "[4, 5]",
                         "[4, 3]");
    CHECK(bitwise_equal(m.state_dict(), before));
  }
}

TEST_CASE("bad input: losses") {
  const xg::Tensor logits = xg::from_vector(std::vector<double>{1, 2, 3, 0, 0, 1}, {2, 3}, true);
  const Snapshot sl(logits);
  SUBCASE("float targets into cross_entropy") {
    XGT_CHECK_THROWS_MSG(F::cross_entropy(logits, f64({2, 0}, {2}, false)), xg::DTypeError, "cross_entropy", "int64",
                         "float64");
  }
  SUBCASE("class index out of range in cross_entropy") {
    XGT_CHECK_THROWS_MSG(F::cross_entropy(logits, i64({1, 3})), xg::IndexError, "cross_entropy", "3", "3 classes");
    XGT_CHECK_THROWS_MSG(F::cross_entropy(logits, i64({-2, 0})), xg::IndexError, "cross_entropy", "-2");
  }
  SUBCASE("class index out of range in nll_loss") {
    const xg::Tensor lp = xg::log_softmax(logits, 1);
    XGT_CHECK_THROWS_MSG(F::nll_loss(lp, i64({0, 5})), xg::IndexError, "nll_loss", "5", "3 classes");
  }
  SUBCASE("cross_entropy targets of the wrong batch size") {
    XGT_CHECK_THROWS_MSG(F::cross_entropy(logits, i64({0, 1, 2})), xg::ShapeError, "cross_entropy", "[2, 3]", "[3]");
  }
  SUBCASE("label_smoothing outside [0, 1]") {
    F::CrossEntropyOptions o;
    o.label_smoothing = 1.5;
    XGT_CHECK_THROWS_MSG(F::cross_entropy(logits, i64({0, 1}), o), xg::ValueError, "cross_entropy", "label_smoothing",
                         "1.5");
  }
  SUBCASE("binary_cross_entropy with probabilities outside [0, 1] or NaN") {
    const xg::Tensor p = f64({0.5, 1.5}, {2}), t = f64({0, 1}, {2}, false);
    const Snapshot sp(p);
    XGT_CHECK_THROWS_MSG(F::binary_cross_entropy(p, t), xg::ValueError, "binary_cross_entropy", "1.5");
    XGT_CHECK_THROWS_MSG(F::binary_cross_entropy(f64({std::nan(""), 0.5}, {2}, false), t), xg::ValueError,
                         "binary_cross_entropy", "nan");
    CHECK(sp.unchanged());
  }
  SUBCASE("mse_loss / binary_cross_entropy_with_logits with mismatched shapes") {
    XGT_CHECK_THROWS_MSG(F::mse_loss(logits, f64({1, 2}, {2}, false)), xg::ShapeError, "mse_loss", "[2, 3]", "[2]");
    XGT_CHECK_THROWS_MSG(F::binary_cross_entropy_with_logits(f64({0, 0, 0}, {3}, false), f64({1, 0}, {2}, false)),
                         xg::ShapeError, "binary_cross_entropy_with_logits", "[3]", "[2]");
  }
  CHECK(sl.unchanged());
  CHECK_FALSE(logits.grad().defined());
}

// =============================================================================================
// optimizers
// =============================================================================================

TEST_CASE("bad input: optimizer options") {
  nn::Linear lin(3, 2);
  const xg::StateDict before = deep_copy(lin.state_dict());
  bool trained = false;
  SUBCASE("Adam beta1 = 1.5") {
    XGT_CHECK_THROWS_MSG(optim::Adam(lin.parameters(), optim::AdamOptions(1e-3).betas({1.5, 0.999})), xg::ValueError,
                         "Adam", "beta", "1.5");
  }
  SUBCASE("Adam eps = 0, AdamW weight_decay < 0") {
    XGT_CHECK_THROWS_MSG(optim::Adam(lin.parameters(), optim::AdamOptions(1e-3).eps(0)), xg::ValueError, "Adam", "eps",
                         "0");
    XGT_CHECK_THROWS_MSG(optim::AdamW(lin.parameters(), optim::AdamWOptions(1e-3).weight_decay(-0.5)), xg::ValueError,
                         "AdamW", "weight_decay", "-0.5");
  }
  SUBCASE("SGD lr = -1 and lr = NaN") {
    XGT_CHECK_THROWS_MSG(optim::SGD(lin.parameters(), optim::SGDOptions(-1)), xg::ValueError, "SGD", "lr", "-1");
    XGT_CHECK_THROWS_MSG(optim::SGD(lin.parameters(), optim::SGDOptions(std::nan(""))), xg::ValueError, "SGD", "lr",
                         "nan");
  }
  SUBCASE("SGD nesterov without momentum") {
    XGT_CHECK_THROWS_MSG(optim::SGD(lin.parameters(), optim::SGDOptions(0.1).nesterov(true)), xg::ValueError, "SGD",
                         "nesterov", "momentum");
  }
  SUBCASE("RMSprop alpha < 0, Adagrad lr_decay < 0") {
    XGT_CHECK_THROWS_MSG(optim::RMSprop(lin.parameters(), optim::RMSpropOptions(1e-2).alpha(-0.1)), xg::ValueError,
                         "RMSprop", "alpha", "-0.1");
    XGT_CHECK_THROWS_MSG(optim::Adagrad(lin.parameters(), optim::AdagradOptions(1e-2).lr_decay(-1)), xg::ValueError,
                         "Adagrad", "lr_decay", "-1");
  }
  SUBCASE("add_param_group with a bad lr: optimizer unchanged") {
    optim::SGD opt(std::vector<xg::Tensor>{lin.weight}, optim::SGDOptions(0.1).momentum(0.9));
    train_step(lin, opt, 3);
    trained = true;
    const xg::StateDict lin_trained = deep_copy(lin.state_dict());
    const xg::StateDict opt_before = deep_copy(opt.state_dict());
    XGT_CHECK_THROWS_MSG(
        opt.add_param_group(optim::OptimizerParamGroup({lin.bias}, std::make_unique<optim::SGDOptions>(-2.0))),
        xg::ValueError, "SGD", "lr", "-2");
    CHECK(opt.param_groups().size() == 1u);
    CHECK(bitwise_equal(opt.state_dict(), opt_before));
    CHECK(bitwise_equal(lin.state_dict(), lin_trained));
  }
  if (!trained) CHECK(bitwise_equal(lin.state_dict(), before));
}

TEST_CASE("bad input: optimizer load_state_dict from another optimizer or model") {
  MLP m(3, 4, 2);
  optim::Adam adam(m.parameters(), optim::AdamOptions(1e-2));
  train_step(m, adam, 3);
  const xg::StateDict adam_before = deep_copy(adam.state_dict());
  const xg::StateDict model_before = deep_copy(m.state_dict());

  SUBCASE("an SGD state into Adam") {
    MLP twin(3, 4, 2);
    optim::SGD sgd(twin.parameters(), optim::SGDOptions(0.1).momentum(0.9));
    train_step(twin, sgd, 3);
    const xg::StateDict sgd_sd = sgd.state_dict();
    XGT_CHECK_THROWS_MSG(adam.load_state_dict(sgd_sd), xg::ValueError, "Adam.load_state_dict", "missing",
                         "param_groups.0.betas");
    CHECK(bitwise_equal(adam.state_dict(), adam_before));
  }
  SUBCASE("an Adam state from a model with other shapes") {
    MLP other(5, 4, 2);
    optim::Adam other_adam(other.parameters(), optim::AdamOptions(1e-2));
    train_step(other, other_adam, 5);
    XGT_CHECK_THROWS_MSG(adam.load_state_dict(other_adam.state_dict()), xg::ValueError, "Adam.load_state_dict",
                         "state.0.exp_avg", "[4, 5]", "[4, 3]");
    CHECK(bitwise_equal(adam.state_dict(), adam_before));
  }
  SUBCASE("an Adam state from a model with more parameters") {
    struct Three : nn::Module {
      nn::Linear a{3, 4}, b{4, 4}, c{4, 2};
      Three() {
        register_module("a", a);
        register_module("b", b);
        register_module("c", c);
      }
      xg::Tensor forward(const xg::Tensor& x) override { return c(b(a(x))); }
    } other;
    optim::Adam other_adam(other.parameters(), optim::AdamOptions(1e-2));
    train_step(other, other_adam, 3);
    XGT_CHECK_THROWS_MSG(adam.load_state_dict(other_adam.state_dict()), xg::ValueError, "Adam.load_state_dict", "6",
                         "4");
    CHECK(bitwise_equal(adam.state_dict(), adam_before));
  }
  SUBCASE("an out-of-range option inside the state_dict") {
    xg::StateDict sd = deep_copy(adam_before);
    sd["param_groups.0.betas"] = f64({1.5, 0.999}, {2}, false);
    XGT_CHECK_THROWS_MSG(adam.load_state_dict(sd), xg::ValueError, "Adam", "beta", "1.5");
    CHECK(bitwise_equal(adam.state_dict(), adam_before));
  }
  CHECK(bitwise_equal(m.state_dict(), model_before));
}

TEST_CASE("bad input: schedulers, EMA, clipping") {
  nn::Linear lin(2, 2);
  optim::SGD opt(lin.parameters(), optim::SGDOptions(0.1));
  SUBCASE("StepLR step_size 0, ExponentialLR gamma -1: lr unchanged") {
    XGT_CHECK_THROWS_MSG(optim::StepLR(opt, 0), xg::ValueError, "StepLR", "step_size", "0");
    XGT_CHECK_THROWS_MSG(optim::ExponentialLR(opt, -1), xg::ValueError, "ExponentialLR", "gamma", "-1");
    CHECK(opt.param_groups()[0].lr() == 0.1);
  }
  SUBCASE("ExponentialMovingAverage beta 1.5") {
    XGT_CHECK_THROWS_MSG(optim::ExponentialMovingAverage(1.5), xg::ValueError, "ExponentialMovingAverage", "beta",
                         "1.5");
  }
  SUBCASE("clip_grad_norm_ with a NaN gradient and error_if_nonfinite: gradients unchanged") {
    xg::sum(lin(xg::ones({1, 2}))).backward();
    {
      xg::NoGradGuard ng;
      lin.weight.grad().fill_(std::nan(""));
    }
    const Snapshot sw(lin.weight.grad()), sb(lin.bias.grad());
    XGT_CHECK_THROWS_MSG(optim::clip_grad_norm_(lin.parameters(), 1.0, 2.0, true), xg::ValueError, "clip_grad_norm_",
                         "nan");
    CHECK(sw.unchanged());
    CHECK(sb.unchanged());
  }
}

// =============================================================================================
// data
// =============================================================================================

TEST_CASE("bad input: datasets, splits and loaders") {
  const xg::Tensor x = xg::arange(0, 20, 1, xg::kFloat32).reshape({10, 2});
  const xg::Tensor y = xg::arange(0, 10, 1, xg::kInt64);
  const Snapshot sx(x), sy(y);
  const data::TensorDataset ds(x, y);
  SUBCASE("DataLoader batch_size 0 and -1") {
    XGT_CHECK_THROWS_MSG(data::DataLoader(ds, 0), xg::ValueError, "DataLoader", "batch_size", "0");
    XGT_CHECK_THROWS_MSG(data::DataLoader(ds, -1), xg::ValueError, "DataLoader", "batch_size", "-1");
  }
  SUBCASE("random_split with counts not summing to the size: generator not advanced") {
    xg::Generator g(3);
    const auto state = g.get_state();
    XGT_CHECK_THROWS_MSG(data::random_split(ds, {6, 3}, g), xg::ValueError, "random_split", "9", "10");
    XGT_CHECK_THROWS_MSG(data::random_split(ds, {6, 5}, g), xg::ValueError, "random_split", "11", "10");
    CHECK(g.get_state() == state);
  }
  SUBCASE("random_split with fractions not summing to 1 or a negative length") {
    xg::Generator g(3);
    XGT_CHECK_THROWS_MSG(data::random_split(ds, {0.5, 0.4}, g), xg::ValueError, "random_split", "0.9");
    XGT_CHECK_THROWS_MSG(data::random_split(ds, {12, -2}, g), xg::ValueError, "random_split", "-2");
  }
  SUBCASE("k_fold with k = 1 and k > size") {
    XGT_CHECK_THROWS_MSG(data::k_fold(ds, 1), xg::ValueError, "k_fold", "k", "1");
    XGT_CHECK_THROWS_MSG(data::k_fold(ds, 11), xg::ValueError, "k_fold", "11", "10");
  }
  SUBCASE("TensorDataset with disagreeing first dims, out-of-range example") {
    XGT_CHECK_THROWS_MSG(data::TensorDataset(x, xg::arange(0, 9, 1, xg::kInt64)), xg::ShapeError, "TensorDataset",
                         "[10, 2]", "[9]");
    XGT_CHECK_THROWS_MSG(ds.get(10), xg::IndexError, "TensorDataset::get", "index 10", "10 examples");
  }
  CHECK(sx.unchanged());
  CHECK(sy.unchanged());
}

// =============================================================================================
// io
// =============================================================================================

TEST_CASE("bad input: save, load and checkpoints") {
  TempDir dir("bad_input");
  MLP m(3, 4, 2);
  const fs::path good = dir.path / "model.safetensors";
  xg::save(m.state_dict(), good.string());
  const std::string good_bytes = read_file(good);
  REQUIRE(good_bytes.size() > 8);

  SUBCASE("a checkpoint from another model: xg::load works, load_state_dict refuses, model unchanged") {
    MLP other(5, 4, 2);
    const fs::path p = dir.path / "other.safetensors";
    xg::save(other.state_dict(), p.string());
    const xg::StateDict before = deep_copy(m.state_dict());
    const xg::StateDict loaded = xg::load(p.string());
    XGT_CHECK_THROWS_MSG(m.load_state_dict(loaded), xg::ValueError, "MLP.load_state_dict", "fc1.weight", "[4, 5]",
                         "[4, 3]");
    CHECK(bitwise_equal(m.state_dict(), before));
  }
  SUBCASE("a Checkpoint of another model through Checkpoint::load") {
    MLP other(3, 8, 2);
    xg::io::Checkpoint ck;
    ck.set("model", other.state_dict());
    const fs::path p = dir.path / "ck.safetensors";
    ck.save(p.string());
    const xg::StateDict before = deep_copy(m.state_dict());
    const auto loaded = xg::io::Checkpoint::load(p.string());
    XGT_CHECK_THROWS_MSG(m.load_state_dict(loaded.get("model")), xg::ValueError, "MLP.load_state_dict", "fc1.weight",
                         "[8, 3]", "[4, 3]");
    XGT_CHECK_THROWS_MSG(loaded.get("optimizer"), xg::ValueError, "optimizer", "model");
    CHECK(bitwise_equal(m.state_dict(), before));
  }
  SUBCASE("truncated files: FormatError at every cut, file untouched") {
    const fs::path p = dir.path / "cut.safetensors";
    for (std::size_t cut : {std::size_t{0}, std::size_t{4}, std::size_t{8}, std::size_t{20}, good_bytes.size() / 2,
                            good_bytes.size() - 1}) {
      CAPTURE(cut);
      write_file(p, good_bytes.substr(0, cut));
      XGT_CHECK_THROWS_MSG(xg::load(p.string()), xg::FormatError, "cut.safetensors");
      CHECK(read_file(p) == good_bytes.substr(0, cut));
    }
  }
  SUBCASE("an absurd header length is refused before allocating") {
    std::string bytes = good_bytes;
    const std::uint64_t huge = std::uint64_t{1} << 60;
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>((huge >> (8 * i)) & 0xff);
    const fs::path p = dir.path / "huge.safetensors";
    write_file(p, bytes);
    XGT_CHECK_THROWS_MSG(xg::load(p.string()), xg::FormatError, "huge.safetensors", "header");
    CHECK(read_file(p) == bytes);
  }
  SUBCASE("a corrupted header (shape claims 10^12 elements, bad JSON, unknown dtype)") {
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(good_bytes[static_cast<std::size_t>(i)]);
    const std::string header = good_bytes.substr(8, n);
    auto with_header = [&](std::string h) {
      h.resize(n, ' ');  // same length: the data offsets stay valid
      return good_bytes.substr(0, 8) + h + good_bytes.substr(8 + n);
    };
    // A hand-made file whose 16 data bytes claim a [10^6, 10^6] float32 tensor (4 TB).
    const std::string h1 = R"({"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,16]}})";
    std::string big(8, '\0');
    for (int i = 0; i < 8; ++i) big[static_cast<std::size_t>(i)] = static_cast<char>((h1.size() >> (8 * i)) & 0xff);
    big += h1 + std::string(16, '\0');
    XGT_CHECK_THROWS_MSG(xg::io::from_safetensors(big, "big"), xg::FormatError, "big", "'w'", "4000000000000 bytes",
                         "16");
    std::string h2 = header;
    h2[0] = '[';
    XGT_CHECK_THROWS_MSG(xg::io::from_safetensors(with_header(h2), "json"), xg::FormatError, "json");
    std::string h3 = header;
    const auto d = h3.find("\"F32\"");
    REQUIRE(d != std::string::npos);
    h3.replace(d, 5, "\"F16\"");
    XGT_CHECK_THROWS_MSG(xg::io::from_safetensors(with_header(h3), "dt"), xg::FormatError, "dt", "F16");
  }
  SUBCASE("xg::load of a missing file") {
    const fs::path p = dir.path / "nope.safetensors";
    XGT_CHECK_THROWS_MSG(xg::load(p.string()), xg::IOError, "nope.safetensors");
    CHECK_FALSE(fs::exists(p));
  }
  SUBCASE("xg::save into a missing folder: IOError, nothing created") {
    const fs::path p = dir.path / "missing" / "model.safetensors";
    XGT_CHECK_THROWS_MSG(xg::save(m.state_dict(), p.string()), xg::IOError, "missing");
    CHECK_FALSE(fs::exists(dir.path / "missing"));
  }
  SUBCASE("xg::save under a path whose parent is a file: IOError, previous file intact") {
    const fs::path p = good / "model.safetensors";
    XGT_CHECK_THROWS_MSG(xg::save(m.state_dict(), p.string()), xg::IOError, "model.safetensors");
    CHECK(read_file(good) == good_bytes);
  }
  SUBCASE("xg::save over a folder: IOError, folder intact, no temporary left") {
    const fs::path p = dir.path / "adir";
    fs::create_directories(p / "inside");
    XGT_CHECK_THROWS_MSG(xg::save(m.state_dict(), p.string()), xg::IOError, "adir");
    CHECK(fs::is_directory(p / "inside"));
    std::size_t entries = 0;
    for (const auto& e : fs::directory_iterator(dir.path)) (void)e, ++entries;
    CHECK(entries == 2u);  // model.safetensors and adir
  }
  SUBCASE("saving an undefined tensor or the reserved name: ValueError, previous file intact") {
    xg::StateDict sd = m.state_dict();
    sd["bad"] = xg::Tensor();
    XGT_CHECK_THROWS_MSG(xg::save(sd, good.string()), xg::ValueError, "bad", "undefined");
    xg::StateDict sd2 = m.state_dict();
    sd2["__metadata__"] = xg::ones({1});
    XGT_CHECK_THROWS_MSG(xg::save(sd2, good.string()), xg::ValueError, "__metadata__");
    CHECK(read_file(good) == good_bytes);
  }
  SUBCASE("Checkpoint part names and generator states") {
    xg::io::Checkpoint ck;
    XGT_CHECK_THROWS_MSG(ck.set("a.b", {}), xg::ValueError, "a.b");
    XGT_CHECK_THROWS_MSG(ck.set("rng", {}), xg::ValueError, "rng");
    xg::Generator g(5);
    const auto state = g.get_state();
    XGT_CHECK_THROWS_MSG(xg::io::set_generator_state(g, xg::zeros({6})), xg::ValueError, "int64", "[6]");
    XGT_CHECK_THROWS_MSG(xg::io::set_generator_state(g, xg::zeros({5}, xg::kInt64)), xg::ValueError, "[5]");
    CHECK(g.get_state() == state);
    CHECK(ck.parts().empty());
  }
  CHECK(read_file(good) == good_bytes);
}
