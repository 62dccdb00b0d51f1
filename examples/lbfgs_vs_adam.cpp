// Full-batch L-BFGS against Adam on the lecture's bias-variance data: 16 noisy samples of
// y = −x⁴ + 7x³ − 5x² − 31x + 30, fitted by linear regression on standardized polynomial features
// of degree 4 (float64). Both minimize the same training MSE; the program reports how many
// gradient evaluations (forward + backward) each needs to get within 0.1% of the least-squares
// optimum, and the MSE each reaches.
#include <xgrad.h>

#include <cmath>
#include <cstdio>
#include <vector>

using xg::Tensor;
namespace nn = xg::nn;
namespace optim = xg::optim;

namespace {

struct Data {
  Tensor x, y;  // features [16, 4] (standardized columns), targets [16, 1] (standardized)
};

Data make_data() {
  xg::Generator gen(2024);
  const Tensor x = xg::rand({16, 1}, xg::kFloat64, &gen) * 8.5 - 2.5;  // in [-2.5, 6)
  const Tensor curve = -xg::pow(x, 4.0) + 7.0 * xg::pow(x, 3.0) - 5.0 * xg::square(x) - 31.0 * x + 30.0;
  const Tensor y = curve + 12.0 * xg::randn({16, 1}, xg::kFloat64, &gen);
  const Tensor z = (x - xg::mean(x)) / xg::std(x);
  std::vector<Tensor> cols;
  for (int k = 1; k <= 4; ++k) cols.push_back(xg::pow(z, static_cast<double>(k)));
  const Tensor f = xg::cat(cols, 1);
  return {(f - xg::mean(f, {0}, true)) / xg::std(f, {0}, false, true), (y - xg::mean(y)) / xg::std(y)};
}

struct Model {
  nn::Linear fit{4, 1, true, xg::kFloat64};
  Model() {
    nn::init::zeros_(fit->weight);
    nn::init::zeros_(fit->bias);
  }
};

double mse(Model& m, const Data& d) {
  const xg::NoGradGuard no_grad;
  return nn::functional::mse_loss(m.fit(d.x), d.y).item<double>();
}

}  // namespace

int main() {
  const Data d = make_data();

  // The optimum, by L-BFGS run to convergence.
  Model best;
  optim::LBFGS long_run(best.fit->parameters(), optim::LBFGSOptions(1).max_iter(500).line_search_fn("strong_wolfe"));
  const auto closure_for = [&d](Model& m, optim::Optimizer& opt, int& evals) {
    return [&d, &m, &opt, &evals] {
      ++evals;
      opt.zero_grad();
      const Tensor loss = nn::functional::mse_loss(m.fit(d.x), d.y);
      loss.backward();
      return loss;
    };
  };
  int ignored = 0;
  for (int i = 0; i < 5; ++i) long_run.step(closure_for(best, long_run, ignored));
  const double optimum = mse(best, d), target = optimum * 1.001;
  std::printf("least-squares optimum: training MSE %.6f (target: within 0.1%%, %.6f)\n", optimum, target);

  // L-BFGS: one step() at a time (max_iter 1), counting closure evaluations.
  Model lb;
  optim::LBFGS lbfgs(lb.fit->parameters(), optim::LBFGSOptions(1).max_iter(1).line_search_fn("strong_wolfe"));
  int lb_evals = 0, lb_iters = 0;
  while (mse(lb, d) > target && lb_iters < 1000) {
    lbfgs.step(closure_for(lb, lbfgs, lb_evals));
    ++lb_iters;
  }
  std::printf("L-BFGS (strong Wolfe): %d iterations, %d gradient evaluations, MSE %.6f\n", lb_iters, lb_evals, mse(lb, d));

  // Adam at a few learning rates, one gradient evaluation per step.
  int exit_code = 0;
  for (const double lr : {0.01, 0.05, 0.1, 0.3}) {
    Model ad;
    optim::Adam adam(ad.fit->parameters(), optim::AdamOptions(lr));
    int steps = 0, evals = 0;
    while (mse(ad, d) > target && steps < 100000) {
      adam.step(closure_for(ad, adam, evals));
      ++steps;
    }
    std::printf("Adam lr=%-4g: %6d steps (gradient evaluations), MSE %.6f%s\n", lr, steps, mse(ad, d),
                steps >= 100000 ? " (not reached in 100000 steps)" : "");
    if (steps <= lb_evals) exit_code = 1;  // the claim of this example would not hold
  }
  return exit_code;
}
