// optim/: param groups with their own lr and options (against PyTorch, and against a separate
// optimizer for every rule), frozen parameters, add_param_group, zero_grad, and step(closure).
#include "check.h"

#include <memory>
#include <vector>

using xg::Tensor;
namespace optim = xg::optim;

namespace {

using xgt::check_rows;
using xgt::problem_loss;
using xgt::Rows;
using xgt::theta0;

}  // namespace

TEST_CASE("optim: param groups keep their own lr and options (SGD, as PyTorch)") {
  Tensor w = xgt::f64({1.0, -1.0}, {2});
  Tensor b = xgt::f64({0.5}, {1});
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{w});  // takes the defaults: lr 0.1, momentum 0.9
  groups.emplace_back(std::vector<Tensor>{b}, std::make_unique<optim::SGDOptions>(optim::SGDOptions(0.01).momentum(0.5)));
  optim::SGD opt(groups, optim::SGDOptions(0.1).momentum(0.9));
  REQUIRE(opt.param_groups().size() == 2);
  CHECK(opt.param_groups()[0].lr() == 0.1);
  CHECK(opt.param_groups()[1].lr() == 0.01);
  CHECK(static_cast<const optim::SGDOptions&>(opt.param_groups()[0].options()).momentum() == 0.9);
  Rows rw, rb;
  for (int i = 0; i < 5; ++i) {
    opt.zero_grad();
    ((w * w).sum() * b.sum() + (b * b).sum() * 3.0 + w.sum()).backward();
    opt.step();
    rw.push_back(w.to_vector<double>());
    rb.push_back(b.to_vector<double>());
  }
  // optim_reference.py: "groups: w (lr 0.1, momentum 0.9)" and "groups: b (lr 0.01, momentum 0.5)"
  check_rows(rw, {{0.8, -1.0},
                  {0.44799999999999995, -1.01},
                  {-0.0029913600000001568, -1.0419168},
                  {-0.5086967460714191, -1.1055646385407745},
                  {-1.03859512896465, -1.2080005902196247}});
  check_rows(rb, {{0.45}, {0.3816}, {0.31229596}, {0.2480501867364311}, {0.18623383340590635}});
}

// A group with its own lr behaves exactly like a separate optimizer with that lr.
template <class Opt, class Options> void check_group_lr(Options defaults, double other_lr) {
  Tensor p = theta0(), q = theta0(), alone = theta0();
  std::vector<optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<Tensor>{p});
  Options o = defaults;
  o.lr(other_lr);
  groups.emplace_back(std::vector<Tensor>{q}, std::make_unique<Options>(o));
  Opt both(groups, defaults);
  Opt single({alone}, o);
  for (int i = 0; i < 5; ++i) {
    both.zero_grad();
    single.zero_grad();
    (problem_loss(p) + problem_loss(q)).backward();
    problem_loss(alone).backward();
    both.step();
    single.step();
  }
  CHECK(xg::equal(q.detach(), alone.detach()));
  CHECK_FALSE(xg::equal(p.detach(), q.detach()));
  CHECK(both.param_groups()[1].lr() == other_lr);
}

TEST_CASE("optim: param groups with different lrs, for every optimizer") {
  check_group_lr<optim::SGD>(optim::SGDOptions(0.05).momentum(0.9), 0.005);
  check_group_lr<optim::EMAMomentum>(optim::MomentumOptions(0.1).bias_correction(true), 0.01);
  check_group_lr<optim::Adam>(optim::AdamOptions(0.1).amsgrad(true), 0.01);
  check_group_lr<optim::AdamW>(optim::AdamWOptions(0.1), 0.01);
  check_group_lr<optim::RMSprop>(optim::RMSpropOptions(0.01).centered(true), 0.001);
  check_group_lr<optim::Adagrad>(optim::AdagradOptions(0.1).lr_decay(0.1), 0.01);
}

TEST_CASE("optim: frozen parameters are skipped; add_param_group; zero_grad") {
  Tensor a = xgt::f64({1.0, 2.0}, {2});
  Tensor frozen = xgt::f64({3.0}, {1}, /*requires_grad=*/false);
  optim::SGD opt({a, frozen}, optim::SGDOptions(0.5).momentum(0.9));
  (a * a).sum().backward();
  opt.step();
  xgt::check_values(a, {0.0, 0.0});  // a − 0.5·2a
  xgt::check_values(frozen, {3.0});
  CHECK(opt.state(frozen) == nullptr);
  REQUIRE(opt.state(a) != nullptr);
  CHECK(opt.state(a)->step == 1);
  CHECK(opt.state(a)->buffers.count("momentum_buffer") == 1);

  // zero_grad(false) keeps a zero gradient; the default clears it.
  opt.zero_grad(false);
  REQUIRE(a.grad().defined());
  xgt::check_values(a.grad(), {0.0, 0.0});
  opt.zero_grad();
  CHECK_FALSE(a.grad().defined());

  // A new group with its own lr; the defaults fill the options it does not give.
  Tensor c = xgt::f64({1.0}, {1});
  opt.add_param_group(optim::OptimizerParamGroup({c}, std::make_unique<optim::SGDOptions>(0.25)));
  CHECK(opt.size() == 3);
  (c * 4.0).sum().backward();
  opt.step();
  xgt::check_values(c, {0.0});  // 1 − 0.25·4
  Tensor e = xgt::f64({1.0}, {1});
  opt.add_param_group(optim::OptimizerParamGroup({e}));
  CHECK(opt.param_groups().back().lr() == 0.5);

  // Errors leave the groups unchanged.
  XGT_CHECK_THROWS_MSG(opt.add_param_group(optim::OptimizerParamGroup({a})), xg::ValueError, "already");
  XGT_CHECK_THROWS_MSG(opt.add_param_group(optim::OptimizerParamGroup({a * 2.0})), xg::ValueError, "not a leaf");
  XGT_CHECK_THROWS_MSG(opt.add_param_group(optim::OptimizerParamGroup({xg::zeros({2}, xg::kInt64)})), xg::ValueError,
                       "int64");
  XGT_CHECK_THROWS_MSG(opt.add_param_group(optim::OptimizerParamGroup({xgt::f64({1.0}, {1})},
                                                                      std::make_unique<optim::AdamOptions>(0.1))),
                       xg::ValueError, "options of another optimizer");
  XGT_CHECK_THROWS_MSG(opt.add_param_group(optim::OptimizerParamGroup({xgt::f64({1.0}, {1})},
                                                                      std::make_unique<optim::SGDOptions>(-1.0))),
                       xg::ValueError, "invalid lr -1");
  CHECK(opt.param_groups().size() == 3);
  CHECK(opt.size() == 4);
}

TEST_CASE("optim: step(closure) evaluates the loss with grad mode on and returns it") {
  Tensor theta = theta0();
  optim::SGD opt({theta}, optim::SGDOptions(0.1));
  int calls = 0;
  xg::NoGradGuard outer;  // the closure still records: step turns grad mode on for it
  const Tensor loss = opt.step([&] {
    ++calls;
    opt.zero_grad();
    Tensor l = problem_loss(theta);
    l.backward();
    return l;
  });
  CHECK(calls == 1);
  // L(θ₀) = ½(0.25) + ½·10·0.25 + ½·0.5·2.25 + 0.05·(0.0625 + 5.0625 + 16) = 2.5 + 1.05625
  CHECK(loss.item<double>() == doctest::Approx(0.125 + 1.25 + 0.5625 + 0.05 * 21.125).epsilon(1e-14));
  xgt::check_values(theta, {0.5475, -1.9325, 1.765});  // "SGD lr=0.1" step 1
  CHECK_FALSE(opt.step().defined());
}
