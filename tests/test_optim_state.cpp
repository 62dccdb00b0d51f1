// optim/: state_dict (a resumed run continues bit for bit, for every optimizer; the layout;
// load_state_dict checks everything before changing anything), option checks at construction and
// at step(), and updates in place under NoGradGuard.
#include "check.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using xg::Tensor;
namespace optim = xg::optim;

namespace {

using xgt::factory;
using xgt::problem_loss;
using xgt::theta0;
using Factory = xgt::OptimizerFactory;

}  // namespace

TEST_CASE("optim: a run resumed from state_dict continues bit-for-bit, for every optimizer") {
  const std::vector<std::pair<std::string, Factory>> cases = {
      {"SGD", factory<optim::SGD>(optim::SGDOptions(0.05).momentum(0.9).dampening(0.1).weight_decay(0.01))},
      {"SGD nesterov", factory<optim::SGD>(optim::SGDOptions(0.05).momentum(0.9).nesterov(true))},
      {"EMAMomentum", factory<optim::EMAMomentum>(optim::MomentumOptions(0.1).beta(0.8).bias_correction(true))},
      {"Adam", factory<optim::Adam>(optim::AdamOptions(0.1).amsgrad(true).weight_decay(0.1))},
      {"Adam eps inside", factory<optim::Adam>(optim::AdamOptions(0.1).eps_inside_sqrt(true))},
      {"AdamW", factory<optim::AdamW>(optim::AdamWOptions(0.1).amsgrad(true))},
      {"RMSprop", factory<optim::RMSprop>(optim::RMSpropOptions(0.01).centered(true).momentum(0.5))},
      {"Adagrad", factory<optim::Adagrad>(optim::AdagradOptions(0.1).lr_decay(0.05).initial_accumulator_value(0.1))},
  };
  for (const auto& [name, make] : cases) {
    CAPTURE(name);
    for (xg::DType dtype : {xg::kFloat64, xg::kFloat32}) {
      CAPTURE(xg::dtype_name(dtype));
      auto run_steps = [](optim::Optimizer& opt, Tensor& p, int n) {
        for (int i = 0; i < n; ++i) {
          opt.zero_grad();
          problem_loss(p.to(xg::kFloat64)).backward();
          opt.step();
        }
      };
      Tensor straight = theta0().detach().to(dtype).requires_grad_();
      auto opt1 = make({straight});
      run_steps(*opt1, straight, 3);
      const xg::StateDict saved = opt1->state_dict();
      const Tensor saved_param = straight.detach().clone();
      run_steps(*opt1, straight, 4);

      // A fresh parameter and optimizer, restored from the snapshot (which the continued run above
      // must not have changed).
      Tensor resumed = saved_param.clone().requires_grad_();
      auto opt2 = make({resumed});
      opt2->load_state_dict(saved);
      run_steps(*opt2, resumed, 4);
      CHECK(xg::equal(resumed.detach(), straight.detach()));
      CHECK(opt2->state(resumed)->step == 7);
    }
  }
}

TEST_CASE("optim: state_dict layout, and load_state_dict checks everything before changing anything") {
  Tensor p = theta0();
  Tensor q = xgt::f64({1.0, 2.0}, {2});
  optim::Adam opt({p, q}, optim::AdamOptions(0.1));
  problem_loss(p).backward();
  opt.step();  // q has no gradient: no state
  const auto d = opt.state_dict();
  CHECK(d.count("param_groups.0.params") == 1);
  CHECK(d.at("param_groups.0.params").to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 1});
  CHECK(d.at("param_groups.0.lr").item<double>() == 0.1);
  CHECK(d.at("param_groups.0.betas").to_vector<double>() == std::vector<double>{0.9, 0.999});
  CHECK(d.at("state.0.step").dtype() == xg::kInt64);
  CHECK(d.at("state.0.step").item<std::int64_t>() == 1);
  CHECK(d.count("state.0.exp_avg") == 1);
  CHECK(d.count("state.0.exp_avg_sq") == 1);
  CHECK(d.count("state.1.step") == 0);

  auto bad = d;
  bad["state.0.exp_avg"] = xg::zeros({2}, xg::kFloat64);
  XGT_CHECK_THROWS_MSG(opt.load_state_dict(bad), xg::ValueError, "state.0.exp_avg");
  bad = d;
  bad["param_groups.0.betas"] = xg::tensor({0.9, 1.5}, xg::kFloat64);
  XGT_CHECK_THROWS_MSG(opt.load_state_dict(bad), xg::ValueError, "invalid beta2 1.5");
  bad = d;
  bad.erase("param_groups.0.eps");
  XGT_CHECK_THROWS_MSG(opt.load_state_dict(bad), xg::ValueError, "missing key 'param_groups.0.eps'");
  bad = d;
  bad["state.7.step"] = xg::full({}, 1, xg::kInt64);
  XGT_CHECK_THROWS_MSG(opt.load_state_dict(bad), xg::ValueError, "names no parameter");
  bad = d;
  bad["param_groups.0.lr"] = xg::scalar_tensor(0.5, xg::kFloat64);
  bad["state.0.momentum_buffer"] = xg::zeros({3}, xg::kFloat64);
  XGT_CHECK_THROWS_MSG(opt.load_state_dict(bad), xg::ValueError, "not a buffer of Adam");
  bad = d;
  bad["param_groups.1.lr"] = xg::scalar_tensor(0.5, xg::kFloat64);
  XGT_CHECK_THROWS_MSG(opt.load_state_dict(bad), xg::ValueError, "unexpected key 'param_groups.1.lr'");
  // After all those failures, nothing changed.
  CHECK(opt.param_groups()[0].lr() == 0.1);
  CHECK(opt.state(p)->step == 1);

  // Another optimizer's state does not fit.
  optim::SGD sgd({p, q}, optim::SGDOptions(0.1));
  XGT_CHECK_THROWS_MSG(sgd.load_state_dict(d), xg::ValueError, "SGD.load_state_dict: the state is of optimizer 'Adam'");
  xg::StateDict untyped = d;
  untyped.erase("type.Adam");
  XGT_CHECK_THROWS_MSG(sgd.load_state_dict(untyped), xg::ValueError, "SGD.load_state_dict: missing key");
  optim::Adam one({p}, optim::AdamOptions(0.1));
  XGT_CHECK_THROWS_MSG(one.load_state_dict(d), xg::ValueError, "2 parameters in the state, 1 in the optimizer");
}

TEST_CASE("optim: invalid options raise ValueError naming the option, at construction") {
  auto params = [] { return std::vector<Tensor>{xgt::f64({1.0}, {1})}; };
  using optim::AdagradOptions, optim::AdamOptions, optim::AdamWOptions, optim::MomentumOptions,
      optim::RMSpropOptions, optim::SGDOptions;
  CHECK_THROWS_WITH_AS(optim::SGD(params(), SGDOptions(-0.1)), "SGD: invalid lr -0.1 (must be finite and >= 0)",
                       xg::ValueError);
  XGT_CHECK_THROWS_MSG(optim::SGD(params(), SGDOptions(0.1).momentum(-1)), xg::ValueError, "invalid momentum -1");
  XGT_CHECK_THROWS_MSG(optim::SGD(params(), SGDOptions(0.1).weight_decay(-1)), xg::ValueError,
                       "invalid weight_decay -1");
  XGT_CHECK_THROWS_MSG(optim::SGD(params(), SGDOptions(0.1).nesterov(true)), xg::ValueError, "nesterov");
  XGT_CHECK_THROWS_MSG(optim::SGD(params(), SGDOptions(0.1).nesterov(true).momentum(0.9).dampening(0.1)),
                       xg::ValueError, "dampening 0.1");
  XGT_CHECK_THROWS_MSG(optim::SGD(std::vector<Tensor>{}, SGDOptions(0.1)), xg::ValueError, "empty parameter list");
  CHECK_THROWS_WITH_AS(optim::Adam(params(), AdamOptions(0.1).betas({0.9, 1.5})),
                       "Adam: invalid beta2 1.5 (must be in [0, 1))", xg::ValueError);
  XGT_CHECK_THROWS_MSG(optim::Adam(params(), AdamOptions(0.1).betas({-0.1, 0.9})), xg::ValueError,
                       "invalid beta1 -0.1");
  XGT_CHECK_THROWS_MSG(optim::Adam(params(), AdamOptions(0.1).betas({1.0, 0.9})), xg::ValueError, "invalid beta1 1 ");
  CHECK_THROWS_WITH_AS(optim::Adam(params(), AdamOptions(0.1).eps(0)), "Adam: invalid eps 0 (must be finite and > 0)",
                       xg::ValueError);
  XGT_CHECK_THROWS_MSG(optim::Adam(params(), AdamOptions(std::nan(""))), xg::ValueError, "invalid lr nan");
  XGT_CHECK_THROWS_MSG(optim::AdamW(params(), AdamWOptions(0.1).weight_decay(-0.01)), xg::ValueError,
                       "AdamW: invalid weight_decay -0.01");
  XGT_CHECK_THROWS_MSG(optim::RMSprop(params(), RMSpropOptions(0.1).alpha(1.0)), xg::ValueError, "invalid alpha 1");
  XGT_CHECK_THROWS_MSG(optim::RMSprop(params(), RMSpropOptions(0.1).eps(-1e-8)), xg::ValueError, "invalid eps -1e-08");
  XGT_CHECK_THROWS_MSG(optim::RMSprop(params(), RMSpropOptions(0.1).momentum(-0.5)), xg::ValueError,
                       "invalid momentum -0.5");
  XGT_CHECK_THROWS_MSG(optim::Adagrad(params(), AdagradOptions(0.1).lr_decay(-1)), xg::ValueError,
                       "invalid lr_decay -1");
  XGT_CHECK_THROWS_MSG(optim::Adagrad(params(), AdagradOptions(0.1).initial_accumulator_value(-1)), xg::ValueError,
                       "invalid initial_accumulator_value -1");
  XGT_CHECK_THROWS_MSG(optim::EMAMomentum(params(), MomentumOptions(0.1).beta(1.0)), xg::ValueError,
                       "EMAMomentum: invalid beta 1");

  // An option made invalid after construction is refused by step(), which changes nothing.
  Tensor p = xgt::f64({1.0}, {1});
  optim::SGD opt({p}, SGDOptions(0.1));
  (p * 2.0).sum().backward();
  opt.param_groups()[0].set_lr(-1);
  XGT_CHECK_THROWS_MSG(opt.step(), xg::ValueError, "invalid lr -1");
  xgt::check_values(p, {1.0});
  CHECK(opt.state(p) == nullptr);
}

TEST_CASE("optim: updates are in place under NoGradGuard and bump the version counter") {
  Tensor p = theta0();
  const void* data = p.raw_data();
  optim::Adam opt({p}, optim::AdamOptions(0.1));
  const Tensor loss = problem_loss(p);
  loss.backward({}, /*retain_graph=*/true);
  const auto v0 = p.version();
  opt.step();
  CHECK(p.raw_data() == data);
  CHECK(p.version() > v0);
  CHECK(p.requires_grad());
  CHECK(xg::GradMode::is_enabled());
  // The graph saved the old θ: backward through it again must fail, not return a stale gradient.
  CHECK_THROWS_AS(loss.backward(), xg::AutogradError);
}
