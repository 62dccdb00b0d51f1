#include "bias_variance.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include <xgrad.h>

#include "shared/synthetic_data.h"

namespace xg::experiments {

namespace {

constexpr double kLo = -2.5, kHi = 6.0;

double curve(double x) { return -std::pow(x, 4) + 7 * std::pow(x, 3) - 5 * x * x - 31 * x + 30; }

// Columns z, z², …, z^d of the standardized x, each column then standardized with the training
// columns' mean and std (this keeps gradient descent well conditioned; it is an affine change of
// the same model, so the fitted function class is unchanged).
struct Features {
  Tensor train, dev;
};
Features poly_features(const Tensor& z_train, const Tensor& z_dev, int degree) {
  std::vector<Tensor> tr, dv;
  for (int k = 1; k <= degree; ++k) {
    tr.push_back(pow(z_train, static_cast<double>(k)));
    dv.push_back(pow(z_dev, static_cast<double>(k)));
  }
  const Tensor a = cat(tr, 1), b = cat(dv, 1);
  const Tensor mu = mean(a, {0}, true), sd = std(a, {0}, false, true);
  return {(a - mu) / sd, (b - mu) / sd};
}

struct Fit {
  double train_mse, dev_mse;
};

// Linear regression on the features, trained full-batch with Adam on
// J(θ) = (1/m) Σ (ŷ − y)² + (λ/2m) ‖W‖² (the bias is not penalized).
Fit fit(const Features& f, const Tensor& y_train, const Tensor& y_dev, double lambda, int steps) {
  nn::Linear model(f.train.size(1), 1, true, kFloat64);
  nn::init::zeros_(model->weight);
  nn::init::zeros_(model->bias);
  const double m = static_cast<double>(f.train.size(0));
  optim::Adam opt(model->parameters(), optim::AdamOptions(0.05));
  optim::CosineAnnealingLR sched(opt, steps);
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    Tensor J = nn::functional::mse_loss(model(f.train), y_train);
    if (lambda > 0) J = J + nn::l2_penalty(model, lambda, m);
    J.backward();
    opt.step();
    sched.step();
  }
  NoGradGuard no_grad;
  return {nn::functional::mse_loss(model(f.train), y_train).item<double>(),
          nn::functional::mse_loss(model(f.dev), y_dev).item<double>()};
}

}  // namespace

BiasVarianceResult run_bias_variance(const RunOptions& o) {
  const std::string dir = output_dir(o, "bias_variance");
  const std::int64_t n_train = 16, n_dev = o.fast ? 200 : 500;
  const int repeats = o.fast ? 3 : 20, steps = o.fast ? 1500 : 4000;
  const double noise_sd = 12.0;
  BiasVarianceResult r;
  r.degrees = o.fast ? std::vector<int>{1, 2, 3, 4, 6, 9, 12} : std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  r.sweep_degree = r.degrees.back();
  r.lambdas = o.fast ? std::vector<double>{0, 0.1, 1, 10, 100, 1000} : std::vector<double>{0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000};
  r.train_mse.assign(r.degrees.size(), 0);
  r.dev_mse.assign(r.degrees.size(), 0);
  r.sweep_train_mse.assign(r.lambdas.size(), 0);
  r.sweep_dev_mse.assign(r.lambdas.size(), 0);

  Generator g(2024);
  for (int rep = 0; rep < repeats; ++rep) {
    // float64 [n, 1] in raw units. The training sample is stratified over [kLo, kHi] (it covers the
    // range, so dev points are not extrapolations far outside the training points).
    const auto tr = examples::noisy_samples(curve, n_train, kLo, kHi, noise_sd, g, /*stratified=*/true);
    const auto dv = examples::noisy_samples(curve, n_dev, kLo, kHi, noise_sd, g, /*stratified=*/false);
    // Standardize x and y with the training sample's statistics.
    const double xm = mean(tr.x).item<double>(), xs = std(tr.x, {0}, false, false).item<double>();
    const double ym = mean(tr.y).item<double>(), ys = std(tr.y, {0}, false, false).item<double>();
    const Tensor zt = (tr.x - xm) / xs, zd = (dv.x - xm) / xs;
    const Tensor yt = (tr.y - ym) / ys, yd = (dv.y - ym) / ys;
    r.noise_mse += noise_sd * noise_sd / (ys * ys) / repeats;
    for (std::size_t i = 0; i < r.degrees.size(); ++i) {
      const Fit f = fit(poly_features(zt, zd, r.degrees[i]), yt, yd, 0, steps);
      r.train_mse[i] += f.train_mse / repeats;
      r.dev_mse[i] += f.dev_mse / repeats;
    }
    const Features hf = poly_features(zt, zd, r.sweep_degree);
    for (std::size_t i = 0; i < r.lambdas.size(); ++i) {
      const Fit f = fit(hf, yt, yd, r.lambdas[i], steps);
      r.sweep_train_mse[i] += f.train_mse / repeats;
      r.sweep_dev_mse[i] += f.dev_mse / repeats;
    }
  }
  const auto best = std::min_element(r.dev_mse.begin(), r.dev_mse.end()) - r.dev_mse.begin();
  r.best_degree = r.degrees[best];
  const auto bl = std::min_element(r.sweep_dev_mse.begin(), r.sweep_dev_mse.end()) - r.sweep_dev_mse.begin();
  r.best_lambda = r.lambdas[bl];

  Csv deg(dir + "/degree.csv", {"degree", "train_mse", "dev_mse"});
  for (std::size_t i = 0; i < r.degrees.size(); ++i) deg.row({double(r.degrees[i]), r.train_mse[i], r.dev_mse[i]});
  Csv lam(dir + "/lambda.csv", {"lambda", "train_mse", "dev_mse"});
  // λ = 0 cannot sit on a log axis: the CSV keeps it, the chart shows λ > 0 only.
  for (std::size_t i = 0; i < r.lambdas.size(); ++i) lam.row({r.lambdas[i], r.sweep_train_mse[i], r.sweep_dev_mse[i]});
  // train and dev MSE (columns 2 and 3) against column 1 of `csv`
  auto train_dev = [](const std::string& title, const std::string& xlabel, bool logx, const Csv& csv, const std::string& filter) {
    return Chart{title, xlabel, "MSE (standardized y)", logx, true,
                 {{csv.path(), 1, 2, "train", filter}, {csv.path(), 1, 3, "dev", filter}}};
  };
  plot(dir + "/bias_variance.png",
       {train_dev("train vs dev error by degree", "polynomial degree", false, deg, ""),
        train_dev(fmt::format("degree {}: L2 sweep of J(theta)", r.sweep_degree), "lambda", true, lam, "$1 > 0")},
       o.quiet);

  if (!o.quiet) {
    fmt::print("Bias-variance: y = -x^4 + 7x^3 - 5x^2 - 31x + 30 + N(0, {}^2), x ~ U[{}, {}], {} train / {} dev points,\n"
               "mean over {} draws; polynomial features of standardized x, linear regression (Adam, {} full-batch steps).\n"
               "Noise floor (noise variance in standardized units): {}\n",
               noise_sd, kLo, kHi, n_train, n_dev, repeats, steps, fmt_num(r.noise_mse));
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < r.degrees.size(); ++i) {
      const int d = r.degrees[i];
      const char* note = d == r.best_degree ? "best on dev" : (r.dev_mse[i] > 2 * r.dev_mse[best] && d < r.best_degree ? "underfit (high bias)"
                                                              : (d > r.best_degree && r.dev_mse[i] > 1.5 * r.dev_mse[best] ? "overfit (high variance)" : ""));
      rows.push_back({std::to_string(d), fmt_num(r.train_mse[i]), fmt_num(r.dev_mse[i]), note});
    }
    fmt::print("{}\n", table({"degree", "train MSE", "dev MSE", ""}, rows));
    rows.clear();
    for (std::size_t i = 0; i < r.lambdas.size(); ++i)
      rows.push_back({fmt_num(r.lambdas[i]), fmt_num(r.sweep_train_mse[i]), fmt_num(r.sweep_dev_mse[i]),
                      r.lambdas[i] == r.best_lambda ? "best on dev" : ""});
    fmt::print("degree {} with J(theta) = MSE + (lambda/2m)||W||^2, m = {}:\n{}\n", r.sweep_degree, n_train,
               table({"lambda", "train MSE", "dev MSE", ""}, rows));
    fmt::print("Wrote {}/degree.csv, lambda.csv, bias_variance.png\n", dir);
  }
  return r;
}

}  // namespace xg::experiments
