// optim::LBFGS against torch.optim.LBFGS (1.13) in float64 on the Rosenbrock function, 2-D and
// 10-D, with a fixed step and with the strong-Wolfe line search: the parameters after each step(),
// its returned loss and the number of closure evaluations agree (tests/reference/lbfgs_reference.py).
// Also: a run resumed from state_dict continues bit for bit, options and misuse are checked, and
// a closure built from xg ops (autograd) converges the same way.
#include "check.h"

#include <vector>

using xg::Tensor;
using xgt::VD;
namespace optim = xg::optim;

namespace {

// The reference script's output, pasted.
// plain2: {'lr': 0.1, 'max_iter': 10}
const std::vector<VD> plain2_params = {{-1.419900377141577, 2.021170689601138},
    {-1.4043758711403123, 1.990984189901701},
    {-0.39699059468635045, -0.4492721704855877},
    {-0.5929776891606293, 0.05270172336971457}};
const VD plain2_losses = {12.5, 5.85847173127243, 5.816039478806543, 38.78115183119974};
const std::vector<int> plain2_evals = {10, 10, 10, 10};
// func_evals 40, n_iter 40
// wolfe2: {'lr': 1, 'max_iter': 20, 'line_search_fn': 'strong_wolfe'}
const std::vector<VD> wolfe2_params = {{-0.08511855589860293, -0.028757058413769698},
    {0.9995835472529905, 0.9991550319577943},
    {0.9999979943196398, 0.9999973438921637}};
const VD wolfe2_losses = {12.5, 1.3070983150500495, 1.884048137837783e-07};
const std::vector<int> wolfe2_evals = {25, 25, 3};
// func_evals 53, n_iter 41
// wolfe10: {'lr': 1, 'max_iter': 25, 'history_size': 5, 'line_search_fn': 'strong_wolfe'}
const std::vector<VD> wolfe10_params = {{0.5591891041209938, 0.30000219316243426, 0.06934472238379792, 0.01815986697785267, 0.005718263127419785, 0.01739391651206805, 0.007776027954268324, 0.01519034207756671, 0.012638642678817365, -0.006608285604275602},
    {0.9903967949057214, 0.9801834815144846, 0.9689220228193728, 0.9391265166293266, 0.8893058785294586, 0.7843837433076829, 0.604065472767206, 0.34920722859979964, 0.08699660614171129, -0.002189731572820191},
    {1.0000457088805297, 1.000036072469469, 1.0000101871937013, 0.9999920154149319, 0.9999632501178165, 0.9999438878664495, 0.9998712210155511, 0.9997809749478636, 0.9995624576941672, 0.99914236707694},
    {0.9999982565678871, 0.9999976580236493, 0.9999977980327841, 0.9999970717344141, 0.9999959118032669, 0.9999918420910191, 0.9999838583271161, 0.9999676737396195, 0.9999350423640243, 0.9998692764604202}};
const VD wolfe10_losses = {2057.0000000000005, 7.555888993491665, 1.6628949051483142, 1.3136979444311389e-06};
const std::vector<int> wolfe10_evals = {31, 31, 31, 8};
// func_evals 101, n_iter 79
// evals10: {'lr': 1, 'max_iter': 30, 'max_eval': 12, 'line_search_fn': 'strong_wolfe'}
const std::vector<VD> evals10_params = {{-0.44547200963502787, 0.21239555886728875, 0.05652208472275998, 0.013864361140479366, 0.010229366464926407, 0.011043396877213599, 0.01011821379689379, 0.011239699404953415, 0.009626149504046954, -0.000632016825719424},
    {0.08613978717070299, 0.00684199667581676, -0.0012750264463836725, 0.005590244139821023, 0.007095861012284741, 0.01036763735120318, 0.006288713888613972, 0.008935895633285413, 0.01923046373745068, 0.0064973437673853055}};
const VD evals10_losses = {2057.0000000000005, 9.565736528537492};
const std::vector<int> evals10_evals = {12, 12};
// func_evals 24, n_iter 20

// f(x) = Σ 100 (x[i+1] − x[i]²)² + (1 − x[i])², value and gradient by the same formulas, in the
// same order, as the reference script's closure.
double rosenbrock(const VD& x, VD& g) {
  double f = 0;
  g.assign(x.size(), 0.0);
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const double a = x[i + 1] - x[i] * x[i];
    const double b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
    g[i] += -400.0 * a * x[i] - 2.0 * b;
    g[i + 1] += 200.0 * a;
  }
  return f;
}

struct Run {
  std::vector<VD> params;
  VD losses;
  std::vector<int> evals;
};

// step() `steps` times on x (a float64 leaf), counting the closure's calls in each.
Run run(optim::LBFGS& opt, Tensor& x, int steps) {
  Run r;
  int calls = 0;
  const auto closure = [&] {
    ++calls;
    opt.zero_grad();
    VD g;
    const double f = rosenbrock(x.to_vector<double>(), g);
    x.set_grad(xg::from_vector(g, x.shape()));
    return xg::scalar_tensor(f, xg::kFloat64);
  };
  for (int s = 0; s < steps; ++s) {
    calls = 0;
    r.losses.push_back(opt.step(closure).item<double>());
    r.params.push_back(x.to_vector<double>());
    r.evals.push_back(calls);
  }
  return r;
}

void check_run(const Run& got, const std::vector<VD>& params, const VD& losses, const std::vector<int>& evals,
               double tol = 1e-10) {
  REQUIRE(got.params.size() == params.size());
  CHECK(got.evals == evals);
  for (std::size_t s = 0; s < params.size(); ++s) {
    CAPTURE(s);
    CHECK(std::abs(got.losses[s] - losses[s]) <= tol * (1 + std::abs(losses[s])));
    for (std::size_t i = 0; i < params[s].size(); ++i) {
      CAPTURE(i);
      CHECK(std::abs(got.params[s][i] - params[s][i]) <= tol);
    }
  }
}

Tensor x2() { return xg::from_vector(VD{-1.5, 2.0}, {2}, true); }
Tensor x10() { return xg::from_vector(VD{-1.2, 1.0, -1.2, 1.0, -1.2, 1.0, -1.2, 1.0, -1.2, 1.0}, {10}, true); }

}  // namespace

TEST_CASE("LBFGS: 2-D Rosenbrock without a line search matches PyTorch, steps and closure evaluations") {
  Tensor x = x2();
  optim::LBFGS opt({x}, optim::LBFGSOptions(0.1).max_iter(10));
  check_run(run(opt, x, 4), plain2_params, plain2_losses, plain2_evals);
  CHECK(opt.func_evals() == 40);
  CHECK(opt.n_iter() == 40);
}

TEST_CASE("LBFGS: strong Wolfe on 2-D and 10-D Rosenbrock matches PyTorch, with max_eval and history_size") {
  Tensor a = x2();
  optim::LBFGS wolfe({a}, optim::LBFGSOptions(1).line_search_fn("strong_wolfe"));
  check_run(run(wolfe, a, 3), wolfe2_params, wolfe2_losses, wolfe2_evals);
  CHECK(wolfe.func_evals() == 53);
  CHECK(wolfe.n_iter() == 41);
  // Converged to the minimum (1, 1).
  CHECK(std::abs(a.to_vector<double>()[0] - 1) < 1e-5);

  Tensor b = x10();
  optim::LBFGS w10({b}, optim::LBFGSOptions(1).max_iter(25).history_size(5).line_search_fn(optim::LineSearch::strong_wolfe));
  check_run(run(w10, b, 4), wolfe10_params, wolfe10_losses, wolfe10_evals);
  CHECK(w10.func_evals() == 101);
  CHECK(w10.n_iter() == 79);

  // max_eval stops each step after 12 evaluations (PyTorch's default would be max_iter·5/4 = 37).
  Tensor c = x10();
  optim::LBFGS e10({c}, optim::LBFGSOptions(1).max_iter(30).max_eval(12).line_search_fn("strong_wolfe"));
  CHECK(optim::LBFGSOptions().max_iter(30).max_evals() == 37);
  check_run(run(e10, c, 2), evals10_params, evals10_losses, evals10_evals);
  CHECK(e10.func_evals() == 24);
  CHECK(e10.n_iter() == 20);
}

TEST_CASE("LBFGS: a run resumed from state_dict continues bit for bit") {
  Tensor straight = x10();
  optim::LBFGS opt1({straight}, optim::LBFGSOptions(1).max_iter(25).history_size(5).line_search_fn("strong_wolfe"));
  run(opt1, straight, 2);
  const xg::StateDict saved = opt1.state_dict();
  CHECK(saved.count("lbfgs.old_dirs") == 1);
  CHECK(saved.at("lbfgs.old_dirs").size(0) == 5);  // the history is full: 5 pairs of 10 values
  CHECK(saved.at("lbfgs.old_dirs").size(1) == 10);
  const Tensor saved_x = straight.detach().clone();
  const Run rest1 = run(opt1, straight, 2);

  Tensor resumed = saved_x.clone().requires_grad_();
  optim::LBFGS opt2({resumed}, optim::LBFGSOptions(0.5));
  opt2.load_state_dict(saved);
  CHECK(static_cast<const optim::LBFGSOptions&>(opt2.param_groups()[0].options()).line_search_fn() ==
        optim::LineSearch::strong_wolfe);
  const Run rest2 = run(opt2, resumed, 2);
  CHECK(xg::equal(resumed.detach(), straight.detach()));
  CHECK(rest1.evals == rest2.evals);
  CHECK(opt2.func_evals() == opt1.func_evals());
  // ... and both continue PyTorch's trajectory (steps 3 and 4).
  check_run(rest2, {wolfe10_params[2], wolfe10_params[3]}, {wolfe10_losses[2], wolfe10_losses[3]},
            {wolfe10_evals[2], wolfe10_evals[3]});

  // A bad history leaves the optimizer as it was.
  xg::StateDict bad = saved;
  bad["lbfgs.d"] = xg::zeros({3}, xg::kFloat64);
  optim::LBFGS opt3({saved_x.clone().requires_grad_()}, optim::LBFGSOptions(0.5));
  XGT_CHECK_THROWS_MSG(opt3.load_state_dict(bad), xg::ValueError, "LBFGS.load_state_dict", "'lbfgs.d'", "shape [3]");
  CHECK(opt3.n_iter() == 0);
  CHECK(opt3.param_groups()[0].lr() == 0.5);
}

TEST_CASE("LBFGS: a closure of xg ops (autograd) reaches the minimum of 10-D Rosenbrock") {
  Tensor x = x10();
  optim::LBFGS opt({x}, optim::LBFGSOptions(1).max_iter(100).line_search_fn("strong_wolfe"));
  const auto closure = [&] {
    opt.zero_grad();
    const Tensor head = xg::narrow(x, 0, 0, 9), tail = xg::narrow(x, 0, 1, 9);
    const Tensor loss = xg::sum(100.0 * xg::square(tail - xg::square(head)) + xg::square(1.0 - head));
    loss.backward();
    return loss;
  };
  for (int i = 0; i < 3; ++i) opt.step(closure);
  for (double v : x.to_vector<double>()) CHECK(std::abs(v - 1) < 1e-6);
}

TEST_CASE("LBFGS: options and misuse are errors naming the option or the problem") {
  Tensor x = x2();
  XGT_CHECK_THROWS_MSG(optim::LBFGSOptions().line_search_fn("backtracking"), xg::ValueError,
                       "LBFGS: invalid line_search_fn 'backtracking'", "strong_wolfe");
  XGT_CHECK_THROWS_MSG(optim::LBFGS({x}, optim::LBFGSOptions(1).max_iter(0)), xg::ValueError, "LBFGS: invalid max_iter 0");
  XGT_CHECK_THROWS_MSG(optim::LBFGS({x}, optim::LBFGSOptions(1).history_size(0)), xg::ValueError,
                       "LBFGS: invalid history_size 0");
  Tensor y = x2();
  XGT_CHECK_THROWS_MSG(
      optim::LBFGS(std::vector<optim::OptimizerParamGroup>{optim::OptimizerParamGroup({x}), optim::OptimizerParamGroup({y})}),
      xg::ValueError, "LBFGS: per-parameter options (param groups) are not supported: got 2 groups");
  optim::LBFGS opt({x});
  XGT_CHECK_THROWS_MSG(opt.step(), xg::ValueError, "LBFGS.step: needs a closure");
  XGT_CHECK_THROWS_MSG(opt.step([&] { return xg::zeros({2}, xg::kFloat64); }), xg::ValueError,
                       "LBFGS.step: the closure must return the loss, a one-element tensor; got [2]");
  xgt::check_values(x, {-1.5, 2.0});
  // Defaults as PyTorch.
  const optim::LBFGSOptions d;
  CHECK(d.lr() == 1);
  CHECK(d.max_iter() == 20);
  CHECK(d.max_evals() == 25);
  CHECK(d.tolerance_grad() == 1e-7);
  CHECK(d.tolerance_change() == 1e-9);
  CHECK(d.history_size() == 100);
  CHECK(d.line_search_fn() == optim::LineSearch::none);
}
