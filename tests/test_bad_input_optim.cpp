// The bad-input matrix (issue #9), optimizers, schedulers, EMA and clipping:
// realistic misuses across the whole API. Each case checks
//   (a) the exact xg::Error subtype,
//   (b) that the message names the op and the offending shapes / dtypes / values,
//   (c) that nothing was changed by the failed call: input values and version counters, module
//       and optimizer state_dicts, files on disk (byte for byte).
// The other parts are the test_bad_input_*.cpp files; test_errors_*.cpp hold the basic per-type
// cases, which the matrix does not repeat.
#include "check.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

namespace nn = xg::nn;
namespace optim = xg::optim;

namespace {

using xgt::bitwise_equal;
using xgt::deep_copy;
using xgt::f64;
using xgt::MLP;
using xgt::Snapshot;

// One optimizer step with a simple loss, so the optimizer has state buffers.
void train_step(nn::Module& m, optim::Optimizer& opt, std::int64_t in) {
  opt.zero_grad();
  const xg::Tensor x = xg::ones({4, in});
  xg::sum(xg::square(m(x))).backward();
  opt.step();
}

}  // namespace

// =============================================================================================
// optimizers
// =============================================================================================

TEST_CASE("bad input: optimizer options") {
  nn::Linear lin(3, 2);
  const xg::StateDict before = deep_copy(lin->state_dict());
  bool trained = false;
  SUBCASE("Adam beta1 = 1.5") {
    XGT_CHECK_THROWS_MSG(optim::Adam(lin->parameters(), optim::AdamOptions(1e-3).betas({1.5, 0.999})), xg::ValueError,
                         "Adam", "beta", "1.5");
  }
  SUBCASE("Adam eps = 0, AdamW weight_decay < 0") {
    XGT_CHECK_THROWS_MSG(optim::Adam(lin->parameters(), optim::AdamOptions(1e-3).eps(0)), xg::ValueError, "Adam", "eps",
                         "0");
    XGT_CHECK_THROWS_MSG(optim::AdamW(lin->parameters(), optim::AdamWOptions(1e-3).weight_decay(-0.5)), xg::ValueError,
                         "AdamW", "weight_decay", "-0.5");
  }
  SUBCASE("SGD lr = -1 and lr = NaN") {
    XGT_CHECK_THROWS_MSG(optim::SGD(lin->parameters(), optim::SGDOptions(-1)), xg::ValueError, "SGD", "lr", "-1");
    XGT_CHECK_THROWS_MSG(optim::SGD(lin->parameters(), optim::SGDOptions(std::nan(""))), xg::ValueError, "SGD", "lr",
                         "nan");
  }
  SUBCASE("SGD nesterov without momentum") {
    XGT_CHECK_THROWS_MSG(optim::SGD(lin->parameters(), optim::SGDOptions(0.1).nesterov(true)), xg::ValueError, "SGD",
                         "nesterov", "momentum");
  }
  SUBCASE("RMSprop alpha < 0, Adagrad lr_decay < 0") {
    XGT_CHECK_THROWS_MSG(optim::RMSprop(lin->parameters(), optim::RMSpropOptions(1e-2).alpha(-0.1)), xg::ValueError,
                         "RMSprop", "alpha", "-0.1");
    XGT_CHECK_THROWS_MSG(optim::Adagrad(lin->parameters(), optim::AdagradOptions(1e-2).lr_decay(-1)), xg::ValueError,
                         "Adagrad", "lr_decay", "-1");
  }
  SUBCASE("add_param_group with a bad lr: optimizer unchanged") {
    optim::SGD opt(std::vector<xg::Tensor>{lin->weight}, optim::SGDOptions(0.1).momentum(0.9));
    train_step(lin, opt, 3);
    trained = true;
    const xg::StateDict lin_trained = deep_copy(lin->state_dict());
    const xg::StateDict opt_before = deep_copy(opt.state_dict());
    XGT_CHECK_THROWS_MSG(
        opt.add_param_group(optim::OptimizerParamGroup({lin->bias}, std::make_unique<optim::SGDOptions>(-2.0))),
        xg::ValueError, "SGD", "lr", "-2");
    CHECK(opt.param_groups().size() == 1u);
    CHECK(bitwise_equal(opt.state_dict(), opt_before));
    CHECK(bitwise_equal(lin->state_dict(), lin_trained));
  }
  if (!trained) CHECK(bitwise_equal(lin->state_dict(), before));
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
    XGT_CHECK_THROWS_MSG(adam.load_state_dict(sgd_sd), xg::ValueError, "Adam.load_state_dict", "optimizer 'SGD'");
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
  optim::SGD opt(lin->parameters(), optim::SGDOptions(0.1));
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
      lin->weight.grad().fill_(std::nan(""));
    }
    const Snapshot sw(lin->weight.grad()), sb(lin->bias.grad());
    XGT_CHECK_THROWS_MSG(optim::clip_grad_norm_(lin->parameters(), 1.0, 2.0, true), xg::ValueError, "clip_grad_norm_",
                         "nan");
    CHECK(sw.unchanged());
    CHECK(sb.unchanged());
  }
}
