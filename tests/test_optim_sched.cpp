// optim/: learning-rate schedules, gradual unfreezing, the exponential moving average, gradient
// clipping and the gradient-norm report. Expected numbers come from
// tests/reference/optim_reference.py (PyTorch 1.13 schedulers and clip_grad_norm_ in float64;
// plain formulas for the inverse-time decay and the EMA), pasted below.
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "check.h"
#include "optim/optim.h"

using xg::Tensor;
namespace optim = xg::optim;

namespace {

// An SGD optimizer over one dummy parameter per lr.
struct Setup {
  std::vector<Tensor> params;
  std::unique_ptr<optim::SGD> opt;
  explicit Setup(std::vector<double> lrs = {0.1}) {
    std::vector<optim::OptimizerParamGroup> groups;
    for (double lr : lrs) {
      params.push_back(xgt::f64({0.0}, {1}));
      groups.emplace_back(std::vector<Tensor>{params.back()}, std::make_unique<optim::SGDOptions>(lr));
    }
    opt = std::make_unique<optim::SGD>(groups, optim::SGDOptions(lrs[0]));
  }
};

// lr of group 0 after construction and after each of n steps.
std::vector<double> lrs_of(optim::LRScheduler& s, int n = 10) {
  std::vector<double> out{s.get_last_lr()[0]};
  for (int i = 0; i < n; ++i) {
    s.step();
    out.push_back(s.get_last_lr()[0]);
  }
  return out;
}

void check_seq(const std::vector<double>& got, const std::vector<double>& want, double tol = 1e-15) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(std::abs(got[i] - want[i]) <= tol * std::abs(want[i]));
  }
}

// Runs `make` for 10 epochs straight, and for 4 + resume + 6, and compares every lr bit-for-bit.
void check_resume(const std::function<std::unique_ptr<optim::LRScheduler>(optim::Optimizer&)>& make) {
  Setup a({0.1, 0.03});
  auto sa = make(*a.opt);
  for (int i = 0; i < 4; ++i) sa->step();
  const auto sched_state = sa->state_dict();
  const auto opt_state = a.opt->state_dict();
  for (int i = 0; i < 6; ++i) sa->step();

  Setup b({0.1, 0.03});
  auto sb = make(*b.opt);
  b.opt->load_state_dict(opt_state);
  sb->load_state_dict(sched_state);
  CHECK(sb->last_epoch() == 4);
  for (int i = 0; i < 6; ++i) sb->step();
  CHECK(sb->get_last_lr() == sa->get_last_lr());
  CHECK(sb->last_epoch() == 10);
  for (std::size_t g = 0; g < 2; ++g) CHECK(b.opt->param_groups()[g].lr() == a.opt->param_groups()[g].lr());
}

}  // namespace

TEST_CASE("optim sched: StepLR, MultiStepLR, ExponentialLR match PyTorch") {
  {
    Setup s;
    optim::StepLR sched(*s.opt, 3, 0.5);
    // optim_reference.py: "StepLR step_size=3 gamma=0.5"
    check_seq(lrs_of(sched), {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125});
    CHECK(s.opt->param_groups()[0].lr() == 0.0125);
    CHECK(sched.base_lrs() == std::vector<double>{0.1});
  }
  {
    Setup s;
    optim::MultiStepLR sched(*s.opt, {8, 5, 2, 5}, 0.5);  // 5 listed twice: ×0.25 there
    // optim_reference.py: "MultiStepLR milestones={2,5,5,8} gamma=0.5"
    check_seq(lrs_of(sched), {0.1, 0.1, 0.05, 0.05, 0.05, 0.0125, 0.0125, 0.0125, 0.00625, 0.00625, 0.00625});
  }
  {
    Setup s;
    optim::ExponentialLR sched(*s.opt, 0.9);
    // optim_reference.py: "ExponentialLR gamma=0.9" (0.1·0.9^e, multiplied step by step)
    check_seq(lrs_of(sched), {0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002,
                              0.05904900000000002, 0.05314410000000002, 0.04782969000000002, 0.043046721000000024,
                              0.03874204890000002, 0.03486784401000002},
              0.0);  // bit-for-bit: same multiplications
  }
}

TEST_CASE("optim sched: CosineAnnealingLR, LambdaLR and the lecture's inverse-time decay") {
  {
    Setup s;
    optim::CosineAnnealingLR sched(*s.opt, 4, 0.01);
    // optim_reference.py: "CosineAnnealingLR T_max=4 eta_min=0.01"; closed form
    // 0.01 + 0.09·(1 + cos(πe/4))/2: e=2 → 0.055, e=4 → 0.01; after T_max it rises again, as PyTorch.
    check_seq(lrs_of(sched), {0.1, 0.08681980515339464, 0.05500000000000001, 0.023180194846605363, 0.01,
                              0.023180194846605363, 0.05500000000000002, 0.08681980515339469, 0.10000000000000006,
                              0.0868198051533947, 0.05500000000000005},
              1e-14);
  }
  {
    Setup s;
    optim::LambdaLR sched(*s.opt, [](std::int64_t e) { return std::pow(0.95, static_cast<double>(e)); });
    // optim_reference.py: "LambdaLR 0.95^epoch"
    check_seq(lrs_of(sched), {0.1, 0.095, 0.09025, 0.0857375, 0.081450625, 0.07737809374999999, 0.07350918906249998,
                              0.06983372960937498, 0.06634204312890622, 0.0630249409724609, 0.05987369392383787});
  }
  {
    Setup s;
    optim::InverseTimeLR sched(*s.opt, 0.5);
    // optim_reference.py: "InverseTimeLR decay=0.5" = 0.1/(1 + 0.5·e), e.g. e=2 → 0.05, e=8 → 0.02.
    check_seq(lrs_of(sched), {0.1, 0.06666666666666667, 0.05, 0.04, 0.03333333333333333, 0.028571428571428574, 0.025,
                              0.022222222222222223, 0.02, 0.018181818181818184, 0.016666666666666666});
  }
  {
    // One lambda per group; each group keeps its own base lr.
    Setup s({0.1, 0.01});
    optim::LambdaLR sched(*s.opt, std::vector<optim::LambdaLR::Lambda>{[](std::int64_t) { return 1.0; },
                                                                       [](std::int64_t e) { return 1.0 + e; }});
    sched.step();
    sched.step();
    CHECK(sched.get_last_lr() == std::vector<double>{0.1, 0.03});
  }
}

TEST_CASE("optim sched: schedules act on every param group and adopt groups added later") {
  Setup s({0.1, 0.02});
  optim::StepLR sched(*s.opt, 2, 0.5);
  sched.step();
  sched.step();
  CHECK(sched.get_last_lr() == std::vector<double>{0.05, 0.01});
  Tensor extra = xgt::f64({0.0}, {1});
  s.opt->add_param_group(optim::OptimizerParamGroup({extra}, std::make_unique<optim::SGDOptions>(0.008)));
  sched.step();  // epoch 3: no change; the new group's lr becomes its base lr
  CHECK(sched.base_lrs() == std::vector<double>{0.1, 0.02, 0.008});
  sched.step();  // epoch 4: ×0.5 for all three
  CHECK(sched.get_last_lr() == std::vector<double>{0.025, 0.005, 0.004});
}

TEST_CASE("optim sched: ReduceLROnPlateau matches PyTorch (modes, thresholds, patience, cooldown, min_lr, eps)") {
  // Metrics and expected lrs from optim_reference.py ("ReduceLROnPlateau" block).
  const std::vector<double> m1 = {1.0, 0.9, 0.9, 0.8999, 0.91, 0.95, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9};
  const std::vector<double> m2 = {0.1, 0.2, 0.25, 0.29, 0.3, 0.31, 0.305, 0.3, 0.2, 0.1, 0.32, 0.3};
  auto run = [](const std::vector<double>& metrics, optim::ReduceLROnPlateauOptions o) {
    Setup s;
    optim::ReduceLROnPlateau sched(*s.opt, o);
    std::vector<double> out;
    for (double m : metrics) {
      sched.step(m);
      out.push_back(s.opt->param_groups()[0].lr());
      CHECK(sched.get_last_lr()[0] == out.back());
    }
    return out;
  };
  using O = optim::ReduceLROnPlateauOptions;
  // "M1 mode=min patience=2 (rel 1e-4)": 0.8999 is not below 0.9·(1 − 1e-4), so it counts as bad.
  check_seq(run(m1, O().patience(2)), {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.010000000000000002,
                                       0.010000000000000002, 0.010000000000000002});
  // "M1 mode=min patience=1 cooldown=2 factor=0.5 min_lr=0.02"
  check_seq(run(m1, O().patience(1).cooldown(2).factor(0.5).min_lr(0.02)),
            {0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025});
  // "M1 mode=min threshold_mode=abs threshold=0.05 patience=1"
  check_seq(run(m1, O().threshold_mode(optim::ThresholdMode::abs).threshold(0.05).patience(1)),
            {0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002,
             0.00010000000000000003, 0.00010000000000000003, 1.0000000000000004e-05, 1.0000000000000004e-05,
             1.0000000000000004e-06});
  // "M2 mode=max patience=1 factor=0.5"
  check_seq(run(m2, O().mode(optim::PlateauMode::max).patience(1).factor(0.5)),
            {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025});
  // "M2 mode=max threshold_mode=abs threshold=0.02 patience=0 factor=0.5 eps=0.02": once lr·0.5 would
  // change lr by less than eps the reduction is skipped.
  check_seq(run(m2, O().mode(optim::PlateauMode::max)
                        .threshold_mode(optim::ThresholdMode::abs)
                        .threshold(0.02)
                        .patience(0)
                        .factor(0.5)
                        .eps(0.02)),
            {0.1, 0.1, 0.1, 0.1, 0.05, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025});

  // PyTorch's defaults.
  const O d;
  CHECK(d.mode() == optim::PlateauMode::min);
  CHECK(d.factor() == 0.1);
  CHECK(d.patience() == 10);
  CHECK(d.threshold() == 1e-4);
  CHECK(d.threshold_mode() == optim::ThresholdMode::rel);
  CHECK(d.cooldown() == 0);
  CHECK(d.min_lr() == 0);
  CHECK(d.eps() == 1e-8);

  // Per-group min_lrs, and resume bit-for-bit.
  Setup a({0.1, 0.05});
  optim::ReduceLROnPlateau pa(*a.opt, O().patience(0).factor(0.5).min_lrs({0.03, 0.001}));
  for (int i = 0; i < 5; ++i) pa.step(m1[static_cast<std::size_t>(i)]);
  const auto st = pa.state_dict();
  const auto ost = a.opt->state_dict();
  for (std::size_t i = 5; i < m1.size(); ++i) pa.step(m1[i]);
  CHECK(a.opt->param_groups()[0].lr() == 0.03);
  Setup b({0.1, 0.05});
  optim::ReduceLROnPlateau pb(*b.opt);
  b.opt->load_state_dict(ost);
  pb.load_state_dict(st);
  CHECK(pb.options().patience() == 0);
  for (std::size_t i = 5; i < m1.size(); ++i) pb.step(m1[i]);
  CHECK(pb.get_last_lr() == pa.get_last_lr());
  CHECK(pb.best() == pa.best());
  CHECK(pb.num_bad_epochs() == pa.num_bad_epochs());
}

TEST_CASE("optim sched: every schedule resumes bit-for-bit from its state_dict") {
  using P = std::unique_ptr<optim::LRScheduler>;
  check_resume([](optim::Optimizer& o) -> P { return std::make_unique<optim::StepLR>(o, 3, 0.5); });
  check_resume([](optim::Optimizer& o) -> P { return std::make_unique<optim::MultiStepLR>(o, std::vector<std::int64_t>{2, 5, 7}); });
  check_resume([](optim::Optimizer& o) -> P { return std::make_unique<optim::ExponentialLR>(o, 0.9); });
  check_resume([](optim::Optimizer& o) -> P { return std::make_unique<optim::CosineAnnealingLR>(o, 3, 0.001); });
  check_resume([](optim::Optimizer& o) -> P {
    return std::make_unique<optim::LambdaLR>(o, [](std::int64_t e) { return 1.0 / (1.0 + e * e); });
  });
  check_resume([](optim::Optimizer& o) -> P { return std::make_unique<optim::InverseTimeLR>(o, 0.3); });

  // Options come back with the state, and a bad state changes nothing.
  Setup s;
  optim::StepLR a(*s.opt, 3, 0.5);
  auto st = a.state_dict();
  Setup s2;
  optim::StepLR b(*s2.opt, 7, 0.9);
  b.load_state_dict(st);
  for (int i = 0; i < 3; ++i) b.step();
  CHECK(b.get_last_lr()[0] == 0.05);
  st["gamma"] = xg::scalar_tensor(-1.0, xg::kFloat64);
  st["last_epoch"] = xg::full({}, 9, xg::kInt64);
  XGT_CHECK_THROWS_MSG(b.load_state_dict(st), xg::ValueError, "invalid gamma -1");
  CHECK(b.last_epoch() == 3);
  st.erase("step_size");
  XGT_CHECK_THROWS_MSG(b.load_state_dict(st), xg::ValueError, "missing key 'step_size'");
}

TEST_CASE("optim sched: invalid schedule options raise ValueError naming the option") {
  Setup s;
  XGT_CHECK_THROWS_MSG(optim::StepLR(*s.opt, 0), xg::ValueError, "StepLR: invalid step_size 0");
  XGT_CHECK_THROWS_MSG(optim::ExponentialLR(*s.opt, -0.5), xg::ValueError, "invalid gamma -0.5");
  XGT_CHECK_THROWS_MSG(optim::CosineAnnealingLR(*s.opt, 0), xg::ValueError, "invalid T_max 0");
  XGT_CHECK_THROWS_MSG(optim::InverseTimeLR(*s.opt, -1), xg::ValueError, "invalid decay -1");
  XGT_CHECK_THROWS_MSG(optim::LambdaLR(*s.opt, std::vector<optim::LambdaLR::Lambda>{}), xg::ValueError,
                       "expected 1 lr_lambdas");
  using O = optim::ReduceLROnPlateauOptions;
  XGT_CHECK_THROWS_MSG(optim::ReduceLROnPlateau(*s.opt, O().factor(1.0)), xg::ValueError, "invalid factor 1");
  XGT_CHECK_THROWS_MSG(optim::ReduceLROnPlateau(*s.opt, O().patience(-1)), xg::ValueError, "invalid patience -1");
  XGT_CHECK_THROWS_MSG(optim::ReduceLROnPlateau(*s.opt, O().min_lrs({0.1, 0.2})), xg::ValueError, "expected 1 min_lrs");
  // A failed construction leaves the optimizer's lr alone.
  CHECK(s.opt->param_groups()[0].lr() == 0.1);
}

TEST_CASE("optim: gradual unfreezing adds frozen layers as new param groups with their own lr") {
  Tensor head = xgt::f64({1.0, 1.0}, {2});
  Tensor mid = xgt::f64({1.0}, {1});
  Tensor base = xgt::f64({1.0, 1.0, 1.0}, {3});
  const optim::NamedTensors base_named = {{"base.weight", base}};
  optim::SGD opt({head}, optim::SGDOptions(0.1).momentum(0.9));
  // Stages given out of order: they are applied (and become groups) by epoch.
  optim::GradualUnfreezing unfreeze(opt, {{3, "base", base_named, 1e-3}, {1, "mid", std::vector<Tensor>{mid}, 1e-2}});
  CHECK_FALSE(mid.requires_grad());
  CHECK_FALSE(base.requires_grad());
  CHECK(opt.param_groups().size() == 1);
  CHECK_FALSE(unfreeze.is_unfrozen("mid"));

  auto epoch = [&] {
    opt.zero_grad();
    Tensor loss = head.sum() * 2.0;
    if (mid.requires_grad()) loss = loss + mid.sum() * 2.0;
    if (base.requires_grad()) loss = loss + base.sum() * 2.0;
    loss.backward();
    opt.step();
  };
  epoch();  // epoch 0: only the head trains
  xgt::check_values(mid, {1.0});
  CHECK(unfreeze.step() == std::vector<std::string>{"mid"});  // epoch 1
  CHECK(mid.requires_grad());
  REQUIRE(opt.param_groups().size() == 2);
  CHECK(opt.param_groups()[1].lr() == 1e-2);
  CHECK(static_cast<const optim::SGDOptions&>(opt.param_groups()[1].options()).momentum() == 0.9);
  epoch();
  xgt::check_values(mid, {1.0 - 1e-2 * 2.0});
  xgt::check_values(base, {1.0, 1.0, 1.0});
  CHECK(unfreeze.step().empty());                              // epoch 2
  const auto saved_unfreeze = unfreeze.state_dict();
  const auto saved_opt = opt.state_dict();
  CHECK(unfreeze.step() == std::vector<std::string>{"base"});  // epoch 3
  CHECK(opt.param_groups().size() == 3);
  CHECK(opt.param_groups()[2].lr() == 1e-3);
  CHECK(unfreeze.is_unfrozen("base"));

  // Resume at epoch 2 into a fresh setup: load the schedule first, then the optimizer.
  Tensor head2 = xgt::f64({1.0, 1.0}, {2}), mid2 = xgt::f64({1.0}, {1}), base2 = xgt::f64({1.0, 1.0, 1.0}, {3});
  optim::SGD opt2({head2}, optim::SGDOptions(0.1).momentum(0.9));
  optim::GradualUnfreezing unfreeze2(opt2, {{3, "base", std::vector<Tensor>{base2}, 1e-3}, {1, "mid", std::vector<Tensor>{mid2}, 1e-2}});
  unfreeze2.load_state_dict(saved_unfreeze);
  CHECK(mid2.requires_grad());
  CHECK_FALSE(base2.requires_grad());
  opt2.load_state_dict(saved_opt);
  CHECK(unfreeze2.last_epoch() == 2);
  CHECK(unfreeze2.step() == std::vector<std::string>{"base"});
  CHECK(opt2.param_groups().size() == 3);

  // Errors, before anything changes.
  Tensor x = xgt::f64({1.0}, {1});
  optim::SGD opt3({x}, optim::SGDOptions(0.1));
  XGT_CHECK_THROWS_MSG(optim::GradualUnfreezing(opt3, {{1, "x", std::vector<Tensor>{x}, 0.1}}), xg::ValueError,
                       "already in the optimizer");
  Tensor y = xgt::f64({1.0}, {1});
  XGT_CHECK_THROWS_MSG(optim::GradualUnfreezing(opt3, {{1, "y", std::vector<Tensor>{y}, -0.1}}), xg::ValueError,
                       "invalid lr -0.1");
  XGT_CHECK_THROWS_MSG(
      optim::GradualUnfreezing(opt3, {{1, "y", std::vector<Tensor>{y}, 0.1}, {2, "y", std::vector<Tensor>{}, 0.1}}),
      xg::ValueError, "used twice");
  CHECK(y.requires_grad());
  CHECK(opt3.param_groups().size() == 1);
}

TEST_CASE("optim: gradual unfreezing works with a scheduler (the new group is scheduled from its own lr)") {
  Tensor head = xgt::f64({1.0}, {1});
  Tensor body = xgt::f64({1.0}, {1});
  optim::SGD opt({head}, optim::SGDOptions(0.1));
  optim::GradualUnfreezing unfreeze(opt, {{2, "body", std::vector<Tensor>{body}, 0.01}});
  optim::ExponentialLR sched(opt, 0.5);
  for (int e = 0; e < 4; ++e) {
    unfreeze.step();
    sched.step();
  }
  // head: 0.1·0.5⁴; body joined at epoch 2 with 0.01, then halved at epochs 2 (its adoption step
  // multiplies as well, as ExponentialLR is chainable), 3 and 4.
  CHECK(opt.param_groups()[0].lr() == doctest::Approx(0.1 * 0.0625));
  CHECK(opt.param_groups()[1].lr() == doctest::Approx(0.01 * 0.125));
}

TEST_CASE("optim: ExponentialMovingAverage with and without bias correction (the lecture's formula)") {
  optim::ExponentialMovingAverage ema(0.8, /*bias_correction=*/true);
  const std::vector<double> ys = {1.0, 2.0, 0.0, 4.0, 3.0};
  // optim_reference.py: "ExponentialMovingAverage beta=0.8", bias-corrected. By hand:
  // v1 = 0.2 → 0.2/0.2 = 1; v2 = 0.16 + 0.4 = 0.56 → 0.56/0.36 = 1.5556.
  check_seq(ema.smooth(ys), {1.0000000000000002, 1.5555555555555562, 0.9180327868852463, 1.9620596205962064,
                             2.2708234174202766},
            1e-14);
  check_seq({ema.raw_value()}, {1.52672}, 1e-14);  // "raw": last v
  CHECK(ema.count() == 5);
  optim::ExponentialMovingAverage plain(0.8, false);
  check_seq(plain.smooth(ys), {0.2, 0.56, 0.44800000000000006, 1.1584, 1.52672}, 1e-14);

  // Resume.
  optim::ExponentialMovingAverage a(0.9), b(0.5, false);
  a.update(1.0);
  a.update(3.0);
  b.load_state_dict(a.state_dict());
  CHECK(b.update(2.0) == a.update(2.0));
  CHECK(b.beta() == 0.9);
  XGT_CHECK_THROWS_MSG(optim::ExponentialMovingAverage(1.0), xg::ValueError, "invalid beta 1");

  // Averaging tensors (weights): shadow = 0.5·shadow + 0.5·w; corrected by 1 − 0.5ᵗ.
  Tensor w = xgt::f64({2.0, 4.0}, {2});
  optim::TensorExponentialMovingAverage tema({w}, 0.5);
  tema.update();  // shadow [1, 2] → corrected [2, 4]
  {
    xg::NoGradGuard g;
    w.fill_(0.0);
  }
  tema.update();  // shadow [0.5, 1] → /0.75
  xgt::check_values(tema.averages()[0], {0.5 / 0.75, 1.0 / 0.75});
  optim::TensorExponentialMovingAverage tema2({w}, 0.9);
  tema2.load_state_dict(tema.state_dict());
  std::vector<Tensor> out = {xgt::f64({0.0, 0.0}, {2}, false)};
  tema2.copy_to(out);
  xgt::check_values(out[0], {0.5 / 0.75, 1.0 / 0.75});
}

TEST_CASE("optim: clip_grad_norm_ matches PyTorch for the 2, 1, inf and 3 norms") {
  auto make = [](std::vector<Tensor>& ps) {
    ps = {xgt::f64({0.0, 0.0}, {2}), xgt::f64({0.0, 0.0, 0.0, 0.0}, {2, 2})};
    ps[0].set_grad(xgt::f64({3.0, -4.0}, {2}, false));
    ps[1].set_grad(xgt::f64({1.0, 2.0, -2.0, 0.5}, {2, 2}, false));
  };
  struct Case {
    double norm_type, max_norm, total;
    std::vector<double> g1, g2;
  };
  // optim_reference.py: "clip_grad_norm_" block. By hand for the 2-norm: total = √(9 + 16 + 1 + 4 + 4
  // + 0.25) = √34.25 = 5.85235; every gradient × 1/(5.85235 + 1e-6).
  const std::vector<Case> cases = {
      {2.0, 1.0, 5.852349955359813, {0.5126145070388306, -0.6834860093851075},
       {0.17087150234627688, 0.34174300469255375, -0.34174300469255375, 0.08543575117313844}},
      {1.0, 2.0, 12.5, {0.4799999616000031, -0.6399999488000041},
       {0.15999998720000103, 0.31999997440000205, -0.31999997440000205, 0.07999999360000051}},
      {optim::kInfNorm, 1.5, 4.0, {1.1249997187500704, -1.4999996250000938},
       {0.37499990625002344, 0.7499998125000469, -0.7499998125000469, 0.18749995312501172}},
      {3.0, 2.0, 4.7640397172728965, {1.2594350796049891, -1.679246772806652},
       {0.419811693201663, 0.839623386403326, -0.839623386403326, 0.2099058466008315}},
      {2.0, 100.0, 5.852349955359813, {3.0, -4.0}, {1.0, 2.0, -2.0, 0.5}},  // no clipping
  };
  for (const auto& c : cases) {
    CAPTURE(c.norm_type);
    std::vector<Tensor> ps;
    make(ps);
    const double total = optim::clip_grad_norm_(ps, c.max_norm, c.norm_type);
    CHECK(total == doctest::Approx(c.total).epsilon(1e-14));
    xgt::check_values(ps[0].grad(), c.g1, 1e-14);
    xgt::check_values(ps[1].grad(), c.g2, 1e-14);
  }
  // Parameters without gradients are ignored; none at all gives 0.
  Tensor none = xgt::f64({1.0}, {1});
  CHECK(optim::clip_grad_norm_(none, 1.0) == 0.0);
  // Non-finite norms: clipped anyway by default (NaN spreads, as PyTorch), refused on request.
  std::vector<Tensor> ps;
  make(ps);
  ps[0].set_grad(xgt::f64({INFINITY, 1.0}, {2}, false));
  XGT_CHECK_THROWS_MSG(optim::clip_grad_norm_(ps, 1.0, 2.0, /*error_if_nonfinite=*/true), xg::ValueError,
                       "total norm of order 2 of the gradients is inf");
  xgt::check_values(ps[1].grad(), {1.0, 2.0, -2.0, 0.5});
  XGT_CHECK_THROWS_MSG(optim::clip_grad_norm_(ps, -1.0), xg::ValueError, "invalid max_norm -1");
  XGT_CHECK_THROWS_MSG(optim::clip_grad_norm_(ps, 1.0, 0.0), xg::ValueError, "invalid norm_type 0");
  // float32 gradients keep their dtype.
  Tensor p32 = xg::zeros({2}, xg::TensorOptions(xg::kFloat32).requires_grad(true));
  p32.set_grad(xg::tensor({3.0, 4.0}, xg::kFloat32));
  CHECK(optim::clip_grad_norm_(p32, 1.0) == doctest::Approx(5.0));
  CHECK(p32.grad().dtype() == xg::kFloat32);
  CHECK(p32.grad().at<double>({1}) == doctest::Approx(0.8).epsilon(1e-6));
}

TEST_CASE("optim: clip_grad_value_ clamps every gradient element") {
  Tensor a = xgt::f64({0.0, 0.0, 0.0}, {3});
  a.set_grad(xgt::f64({-3.0, 0.5, 2.0}, {3}, false));
  Tensor frozen = xgt::f64({0.0}, {1}, false);
  optim::clip_grad_value_({a, frozen}, 1.0);
  xgt::check_values(a.grad(), {-1.0, 0.5, 1.0});
  XGT_CHECK_THROWS_MSG(optim::clip_grad_value_(a, -1.0), xg::ValueError, "invalid clip_value -1");
}

TEST_CASE("optim: gradient-norm report per parameter and per layer shows vanishing and exploding layers") {
  Tensor w1 = xgt::f64({3.0, 4.0}, {2});
  Tensor b1 = xgt::f64({0.0}, {1});
  Tensor w2 = xgt::f64({1.0, 1.0}, {2});
  Tensor w3 = xgt::f64({1.0}, {1});
  Tensor frozen = xgt::f64({2.0}, {1}, false);
  w1.set_grad(xgt::f64({3e-8, 4e-8}, {2}, false));  // vanishing
  b1.set_grad(xgt::f64({0.0}, {1}, false));
  w2.set_grad(xgt::f64({1.0, 1.0}, {2}, false));
  w3.set_grad(xgt::f64({5e4}, {1}, false));  // exploding
  const auto r = optim::grad_norm_report(
      {{"fc1.weight", w1}, {"fc1.bias", b1}, {"fc2.weight", w2}, {"fc3.weight", w3}, {"emb.weight", frozen}});
  REQUIRE(r.parameters.size() == 5);
  REQUIRE(r.layers.size() == 4);
  CHECK(r.parameters[0].name == "fc1.weight");
  CHECK(r.parameters[0].grad_norm == doctest::Approx(5e-8));
  CHECK(r.parameters[0].param_norm == doctest::Approx(5.0));
  CHECK(r.parameters[0].ratio == doctest::Approx(1e-8));
  CHECK_FALSE(r.parameters[4].has_grad);
  CHECK(r.layers[0].name == "fc1");
  CHECK(r.layers[0].numel == 3);
  CHECK(r.layers[0].grad_norm == doctest::Approx(5e-8));
  CHECK(r.layers[0].grad_rms == doctest::Approx(5e-8 / std::sqrt(3.0)));
  CHECK(r.layers[1].grad_norm == doctest::Approx(std::sqrt(2.0)));
  CHECK_FALSE(r.layers[3].has_grad);
  CHECK(r.vanishing_layers() == std::vector<std::string>{"fc1"});
  CHECK(r.exploding_layers() == std::vector<std::string>{"fc3"});
  CHECK(r.layer_spread() == doctest::Approx(5e4 / 5e-8));
  // The total matches clip_grad_norm_'s (max_norm = inf leaves the gradients alone).
  CHECK(r.total_norm == doctest::Approx(optim::clip_grad_norm_({w1, b1, w2, w3}, INFINITY)).epsilon(1e-14));
  const std::string table = r.to_string();
  CHECK(table.find("fc1.weight") != std::string::npos);
  CHECK(table.find("(no grad)") != std::string::npos);
  const auto rinf = optim::grad_norm_report({{"fc3.weight", w3}, {"fc2.weight", w2}}, optim::kInfNorm);
  CHECK(rinf.total_norm == 5e4);
}
