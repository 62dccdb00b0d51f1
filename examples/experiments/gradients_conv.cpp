// exp_gradients --conv: per-layer gradient norms after one backward pass through a deep plain
// conv stack, for saturating and non-saturating activations, two inits and BatchNorm2d.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include <xgrad.h>

#include "gradients.h"
#include "shared/mlp.h"
#include "shared/synthetic_data.h"

namespace xg::experiments {

namespace {

// [N, side²] -> [1, side, side] -> conv1..conv{depth} (3x3, padding 1, `channels` out) each followed by
// [bn_k] and act_k -> flatten -> out (Linear to 10 classes). No pooling: every layer sees the same
// spatial size, so the only thing that changes with depth is the chain of Jacobians.
std::shared_ptr<nn::SequentialImpl> conv_stack(int depth, std::int64_t channels, std::int64_t side, const std::string& activation,
                                           bool batch_norm) {
  auto net = std::make_shared<nn::SequentialImpl>();
  net->push_back("unflatten", std::make_shared<nn::UnflattenImpl>(1, std::vector<std::int64_t>{1, side, side}));
  std::int64_t in = 1;
  for (int i = 1; i <= depth; ++i) {
    const std::string k = std::to_string(i);
    net->push_back("conv" + k, nn::Conv2d(nn::Conv2dOptions(in, channels, 3).padding(1).dtype(kFloat64)));
    if (batch_norm) net->push_back("bn" + k, std::make_shared<nn::BatchNorm2dImpl>(channels, 1e-5, 0.1, true, true, kFloat64));
    net->push_back("act" + k, examples::make_activation(activation));
    in = channels;
  }
  net->push_back("flatten", std::make_shared<nn::FlattenImpl>());
  net->push_back("out", nn::Linear(nn::LinearOptions(in * side * side, 10).dtype(kFloat64)));
  return net;
}

}  // namespace

const GradientInitCase& ConvGradientsResult::find(const std::string& activation, const std::string& init) const {
  for (const auto& c : cases)
    if (c.activation == activation && c.init == init) return c;
  throw ValueError(fmt::format("no conv gradient case {} / {}", activation, init));
}

ConvGradientsResult run_gradients_conv(const RunOptions& o) {
  const std::string dir = output_dir(o, "gradients_conv");
  ConvGradientsResult res;
  res.depth = 10;
  res.channels = 8;
  res.side = o.fast ? 8 : 16;
  const int batch = o.fast ? 16 : 64;
  struct Spec {
    std::string activation, init, label;
  };
  const std::vector<Spec> specs = {
      {"sigmoid", "default", "sigmoid, default init"},
      {"tanh", "default", "tanh, default init"},
      {"relu", "default", "relu, default init"},
      {"relu", "he", "relu, He init"},
      {"sigmoid", "default+bn", "sigmoid, default init, BatchNorm2d"},
      {"relu", "default+bn", "relu, default init, BatchNorm2d"},
  };
  Csv csv(dir + "/layer_grad_norms.csv", {"case", "layer", "grad_norm"});
  std::vector<std::string> names;
  for (std::size_t c = 0; c < specs.size(); ++c) {
    const auto& s = specs[c];
    manual_seed(200);  // every case starts from the same default-initialized weights
    auto net = conv_stack(res.depth, res.channels, res.side, s.activation, s.init == "default+bn");
    if (s.init == "he") {
      Generator g(201);
      for (auto& [name, p] : net->named_parameters())
        if (name.starts_with("conv") && name.ends_with(".weight")) {
          Tensor t = p;
          nn::init::kaiming_normal_(t, 0, nn::init::FanMode::FanIn, "relu", &g);
        }
    }
    Generator gd(7);
    const auto [x, y] = examples::random_labels(batch, res.side * res.side, 10, kFloat64, gd);
    net->zero_grad();
    nn::functional::cross_entropy((*net)(x), y).backward();
    // The conv layers' norms (weight and bias together), input side first; the BN layers and the
    // head are left out.
    std::vector<double> norms;
    const auto report = optim::grad_norm_report(net->named_parameters());
    for (const auto& l : report.layers)
      if (l.name.starts_with("conv")) norms.push_back(l.grad_norm);
    GradientInitCase r{s.label, s.activation, s.init};
    r.first_grad = norms.front();
    r.last_grad = norms.back();
    r.ratio = r.first_grad / r.last_grad;
    r.min_grad = *std::min_element(norms.begin(), norms.end());
    r.max_grad = *std::max_element(norms.begin(), norms.end());
    for (std::size_t k = 0; k < norms.size(); ++k) csv.row({static_cast<double>(c), static_cast<double>(k + 1), norms[k]});
    res.cases.push_back(r);
    names.push_back(s.label);
  }

  Chart chart{fmt::format("Gradient norm by conv layer ({} conv layers of {} channels)", res.depth, res.channels),
              "conv layer (1 = input side)", "||dJ/dtheta_layer||", false, true, {}};
  for (std::size_t c = 0; c < names.size(); ++c)
    chart.series.push_back({csv.path(), 2, 3, names[c], fmt::format("$1 == {}", c)});
  plot(dir + "/layer_grad_norms.png", {chart}, o.quiet);

  if (!o.quiet) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : res.cases)
      rows.push_back({c.name, fmt_num(c.first_grad, 3), fmt_num(c.last_grad, 3), fmt_num(c.ratio, 3), fmt_num(c.min_grad, 3),
                      fmt_num(c.max_grad, 3)});
    fmt::print("Vanishing gradients through {} plain 3x3 conv layers of {} channels on {}x{} inputs (float64, batch {},\n"
               "random labels), one backward pass of cross-entropy; default init is PyTorch's U(+-1/sqrt(fan_in)).\n{}",
               res.depth, res.channels, res.side, res.side, batch,
               table({"activation, init", "conv1 |grad|", "last conv |grad|", "first/last", "min over convs", "max over convs"}, rows));
    fmt::print("CSV and PNG files in {}\n", dir);
  }
  return res;
}

}  // namespace xg::experiments
