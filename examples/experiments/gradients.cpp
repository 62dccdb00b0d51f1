#include "gradients.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include <xgrad.h>

#include "shared/mlp.h"
#include "shared/synthetic_data.h"

namespace xg::experiments {

namespace {

namespace nn = xg::nn;
namespace optim = xg::optim;

// depth hidden layers fc1..fc{depth} of width `width` with activations act1..act{depth}, then the
// output layer `out`.
std::shared_ptr<nn::SequentialImpl> deep_mlp(int depth, std::int64_t in, std::int64_t width, std::int64_t out,
                                         const std::string& activation, DType dtype) {
  std::vector<std::int64_t> widths(static_cast<std::size_t>(depth) + 2, width);
  widths.front() = in;
  widths.back() = out;
  return examples::make_mlp({.widths = widths, .activation = activation, .dtype = dtype});
}

// Weights: "N(0,s^2)" naive, "xavier" (ρ·√(2/(n_in+n_out))), "he" (ρ·√(2/n_in)), "he*g" (g times He);
// biases 0. The output layer gets the same rule as the others.
void init_weights(nn::Module& net, const std::string& init, double scale, Generator& g) {
  for (auto& [name, p] : net.named_parameters()) {
    Tensor t = p;
    if (name.ends_with(".bias")) {
      nn::init::zeros_(t);
    } else if (init == "xavier") {
      nn::init::xavier_normal_(t, 1.0, &g);
    } else if (init == "he") {
      nn::init::kaiming_normal_(t, 0, nn::init::FanMode::FanIn, "relu", &g);
      if (scale != 1.0) {
        NoGradGuard no_grad;
        t.mul_(scale);
      }
    } else {
      nn::init::normal_(t, 0, scale, &g);
    }
  }
}

std::vector<GradientInitCase> layer_norms(const RunOptions& o, const std::string& dir, int depth, int width,
                                          std::vector<std::string>& case_names) {
  struct Spec {
    std::string activation, init, label;
    double scale;
  };
  const std::vector<Spec> specs = {
      {"tanh", "N(0,0.01^2)", "tanh, naive N(0, 0.01^2)", 0.01},
      {"sigmoid", "N(0,1)", "sigmoid, naive N(0, 1)", 1.0},
      {"relu", "N(0,1)", "relu, naive N(0, 1)", 1.0},
      {"tanh", "xavier", "tanh, Xavier (rho*c)", 1.0},
      {"sigmoid", "xavier", "sigmoid, Xavier (rho*c)", 1.0},
      {"relu", "he", "relu, He (rho*c)", 1.0},
  };
  const int batch = o.fast ? 64 : 256;
  Csv csv(dir + "/layer_grad_norms.csv", {"case", "layer", "grad_norm", "activation_std"});
  std::vector<GradientInitCase> cases;
  for (std::size_t c = 0; c < specs.size(); ++c) {
    const auto& s = specs[c];
    // float64 so that gradients of 1e-40 and 1e+40 are still numbers, not 0 or inf.
    Generator g(100 + c);
    auto net = deep_mlp(depth, width, width, 10, s.activation, kFloat64);
    init_weights(*net, s.init, s.scale, g);
    Generator gd(7);
    const auto [x, y] = examples::random_labels(batch, width, 10, kFloat64, gd);
    nn::LayerMonitor monitor(*net);
    net->zero_grad();
    nn::functional::cross_entropy((*net)(x), y).backward();
    const auto stats = monitor.step();
    const auto report = optim::grad_norm_report(net->named_parameters());
    GradientInitCase r{s.label, s.activation, s.init};
    r.min_grad = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < report.layers.size(); ++k) {
      const auto& l = report.layers[k];
      // the activation after fc<k+1> (the output layer has none: its logits' std)
      double act_std = 0;
      const std::string act = fmt::format("act{}", k + 1);
      for (const auto& st : stats)
        if (st.layer == act || (k + 1 == report.layers.size() && st.layer == l.name)) act_std = st.activation_std;
      csv.row({static_cast<double>(c), static_cast<double>(k), l.grad_norm, act_std});
      r.min_grad = std::min(r.min_grad, l.grad_norm);
      r.max_grad = std::max(r.max_grad, l.grad_norm);
    }
    r.first_grad = report.layers.front().grad_norm;
    r.last_grad = report.layers.back().grad_norm;
    r.ratio = r.first_grad / r.last_grad;
    cases.push_back(r);
    case_names.push_back(s.label);
  }
  return cases;
}

// A deep ReLU regression net (20 layers, He init) trained with plain SGD at a learning rate too
// high for its depth (with lr 0.01 it trains): the first steps make the weights larger, the
// gradients grow with them and explode. With max_norm > 0 the gradients are clipped to that total
// norm, so every step moves the weights by at most lr·max_norm.
ClipRun clip_run(const RunOptions& o, Csv& csv, int id, double max_norm, const std::string& name) {
  const int depth = 20, width = 64, steps = o.fast ? 60 : 300;
  const double lr = 0.1;  // too high for 20 layers: fine for ~1 step, then the gradients explode
  Generator g(11);
  auto net = deep_mlp(depth, 16, width, 1, "relu", kFloat32);
  init_weights(*net, "he", 1.0, g);
  Generator gd(12);
  const auto [x, y] = examples::sine_of_sum(256, 16, 4, kFloat32, gd);
  optim::SGD opt(net->parameters(), optim::SGDOptions(lr));
  ClipRun r;
  r.name = name;
  r.max_norm = max_norm;
  r.best_loss = std::numeric_limits<double>::infinity();
  for (int t = 0; t < steps; ++t) {
    opt.zero_grad();
    const Tensor loss = nn::functional::mse_loss((*net)(x), y);
    const double l = loss.item<double>();
    loss.backward();
    const double gnorm = max_norm > 0 ? optim::clip_grad_norm_(net->parameters(), max_norm)
                                      : optim::grad_norm_report(net->named_parameters()).total_norm;
    if (t == 0) r.initial_loss = l;
    r.final_loss = l;
    r.steps = t + 1;
    if (!std::isfinite(l) || !std::isfinite(gnorm)) {
      r.nonfinite_step = t;
      break;  // nothing left to learn from NaN weights
    }
    csv.row({static_cast<double>(id), static_cast<double>(t), l, gnorm});
    r.best_loss = std::min(r.best_loss, l);
    r.max_grad_norm = std::max(r.max_grad_norm, gnorm);
    opt.step();
  }
  return r;
}

}  // namespace

const GradientInitCase& GradientsResult::find(const std::string& activation, const std::string& init) const {
  for (const auto& c : cases)
    if (c.activation == activation && c.init == init) return c;
  throw ValueError(fmt::format("no gradient case {} / {}", activation, init));
}

GradientsResult run_gradients(const RunOptions& o) {
  const std::string dir = output_dir(o, "gradients");
  GradientsResult res;
  res.depth = 24;
  res.width = 64;
  std::vector<std::string> names;
  res.cases = layer_norms(o, dir, res.depth, res.width, names);

  Csv steps(dir + "/clipping.csv", {"run", "step", "loss", "grad_norm"});
  res.unclipped = clip_run(o, steps, 0, 0, "SGD, no clipping");
  res.clipped = clip_run(o, steps, 1, 1.0, "SGD, clip_grad_norm_(1)");

  Chart norms{fmt::format("Gradient norm by layer ({} hidden layers of {})", res.depth, res.width), "layer (0 = input side)",
              "||dJ/dtheta_layer||", false, true, {}};
  Chart acts{"Activation std by layer", "layer", "std of the activation", false, true, {}};
  for (std::size_t c = 0; c < names.size(); ++c) {
    const std::string f = fmt::format("$1 == {}", c);
    norms.series.push_back({dir + "/layer_grad_norms.csv", 2, 3, names[c], f});
    acts.series.push_back({dir + "/layer_grad_norms.csv", 2, 4, names[c], f});
  }
  Chart loss{"Exploding: 20-layer ReLU net, He init, SGD lr 0.1", "step", "training loss (MSE)", false, true, {}};
  Chart gn{"Total gradient norm (before clipping)", "step", "||grad||", false, true, {}};
  for (int id : {0, 1}) {
    const std::string t = id == 0 ? res.unclipped.name : res.clipped.name;
    loss.series.push_back({dir + "/clipping.csv", 2, 3, t, fmt::format("$1 == {}", id)});
    gn.series.push_back({dir + "/clipping.csv", 2, 4, t, fmt::format("$1 == {}", id)});
  }
  plot(dir + "/layer_grad_norms.png", {norms, acts}, o.quiet);
  plot(dir + "/clipping.png", {loss, gn}, o.quiet);

  if (!o.quiet) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : res.cases)
      rows.push_back({c.name, fmt_num(c.first_grad, 3), fmt_num(c.last_grad, 3), fmt_num(c.ratio, 3), fmt_num(c.min_grad, 3),
                      fmt_num(c.max_grad, 3)});
    fmt::print("Vanishing/exploding gradients: {} hidden layers of width {}, one backward pass of cross-entropy\n{}\n",
               res.depth, res.width, table({"activation, init", "first-layer |grad|", "last-layer |grad|", "first/last", "min over layers", "max over layers"}, rows));
    std::vector<std::vector<std::string>> clip_rows;
    for (const auto* r : {&res.unclipped, &res.clipped})
      clip_rows.push_back({r->name, fmt_num(r->initial_loss, 3), fmt_num(r->best_loss, 3), fmt_num(r->final_loss, 3),
                           fmt_num(r->max_grad_norm, 3), r->finite() ? "no" : fmt::format("step {}", r->nonfinite_step)});
    fmt::print("Exploding gradients: 20-layer ReLU net (width 64, He init), MSE, SGD lr 0.1 (too high)\n{}",
               table({"run", "loss at step 0", "best loss", "last loss", "max |grad|", "non-finite"}, clip_rows));
    fmt::print("CSV and PNG files in {}\n", dir);
  }
  return res;
}

}  // namespace xg::experiments
