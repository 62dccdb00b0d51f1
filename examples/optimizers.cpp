// The lecture's optimization experiments with xg::optim:
//  1. a ravine (ill-conditioned quadratic): steps SGD, momentum, RMSProp and Adam need;
//  2. learning-rate schedules side by side, including the lecture's α₀/(1 + decay·epoch);
//  3. vanishing and exploding gradients in deep sigmoid / ReLU chains, seen in the gradient-norm report,
//     and gradient clipping.
#include <xgrad.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "optim/optim.h"

namespace optim = xg::optim;
using xg::Tensor;

namespace {

using Factory = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>;

void ravine() {
  std::printf("1. Ravine f(x, y) = (0.1 x^2 + 10 y^2)/2 from (4, 0.3), lr 0.1: steps until f < 1e-2\n");
  const std::vector<std::pair<std::string, Factory>> rules = {
      {"SGD", [](auto p) { return std::make_unique<optim::SGD>(p, optim::SGDOptions(0.1)); }},
      {"SGD momentum 0.9 (PyTorch)", [](auto p) { return std::make_unique<optim::SGD>(p, optim::SGDOptions(0.1).momentum(0.9)); }},
      {"EMA momentum 0.9 (lecture)", [](auto p) { return std::make_unique<optim::EMAMomentum>(p, optim::MomentumOptions(0.1)); }},
      {"EMA momentum, lr/(1-beta) = 1", [](auto p) { return std::make_unique<optim::EMAMomentum>(p, optim::MomentumOptions(1.0)); }},
      {"RMSprop", [](auto p) { return std::make_unique<optim::RMSprop>(p, optim::RMSpropOptions(0.1)); }},
      {"Adam", [](auto p) { return std::make_unique<optim::Adam>(p, optim::AdamOptions(0.1)); }},
  };
  const Tensor a = xg::tensor({0.1, 10.0}, xg::kFloat64);
  for (const auto& [name, make] : rules) {
    Tensor th = xg::tensor({4.0, 0.3}, xg::TensorOptions(xg::kFloat64).requires_grad());
    auto opt = make({th});
    optim::ExponentialMovingAverage smooth(0.9);
    int t = 0;
    for (; t < 5000; ++t) {
      opt->zero_grad();
      const Tensor loss = (0.5 * a * th * th).sum();
      smooth.update(loss.item<double>());
      if (loss.item<double>() < 1e-2) break;
      loss.backward();
      opt->step();
    }
    std::printf("   %-32s %5d steps (smoothed loss at the end %.3g)\n", name.c_str(), t, smooth.value());
  }
}

void schedules() {
  std::printf("\n2. Learning rate per epoch from 0.1\n   epoch   StepLR(3,0.5)  Exponential(0.9)  Cosine(T=8)  1/(1+0.5e)\n");
  auto make_opt = [] {
    return std::make_unique<optim::SGD>(std::vector<Tensor>{xg::zeros({1}, xg::TensorOptions().requires_grad())},
                                        optim::SGDOptions(0.1));
  };
  auto o1 = make_opt(), o2 = make_opt(), o3 = make_opt(), o4 = make_opt();
  optim::StepLR s1(*o1, 3, 0.5);
  optim::ExponentialLR s2(*o2, 0.9);
  optim::CosineAnnealingLR s3(*o3, 8);
  optim::InverseTimeLR s4(*o4, 0.5);
  for (int e = 0; e <= 8; ++e) {
    std::printf("   %5d   %13.5f  %16.5f  %11.5f  %10.5f\n", e, s1.get_last_lr()[0], s2.get_last_lr()[0],
                s3.get_last_lr()[0], s4.get_last_lr()[0]);
    s1.step();
    s2.step();
    s3.step();
    s4.step();
  }
}

void deep_chain(bool sigmoid, double rho, const char* title) {
  // 12 layers of width 16: h ← act(W h + b), W ~ N(0, 1)·rho/√16; loss = sum of the output.
  xg::manual_seed(0);
  const int depth = 12, width = 16;
  optim::NamedTensors params;
  for (int k = 0; k < depth; ++k) {
    const std::string layer = "layer" + std::to_string(k);
    params.emplace_back(layer + ".weight", (xg::randn({width, width}, xg::kFloat64) * (rho / 4.0)).requires_grad_());
    params.emplace_back(layer + ".bias", xg::zeros({width}, xg::kFloat64).requires_grad_());
  }
  Tensor h = xg::randn({4, width}, xg::kFloat64);
  for (std::size_t k = 0; k < params.size(); k += 2) {
    const Tensor z = xg::linear(h, params[k].second, params[k + 1].second);
    h = sigmoid ? xg::sigmoid(z) : xg::relu(z);
  }
  h.sum().backward();
  const auto report = optim::grad_norm_report(params);
  std::printf("\n3. %s: per-layer gradient norms (largest/smallest %.3g)\n", title, report.layer_spread());
  for (const auto& l : report.layers) std::printf("   %-8s |grad| %.3e\n", l.name.c_str(), l.grad_norm);
  const auto vanishing = report.vanishing_layers(1e-4);
  std::printf("   layers below 1e-4: %zu; total norm %.4g", vanishing.size(), report.total_norm);
  const double total = optim::clip_grad_norm_(optim::tensors_of(params), 1.0);
  std::printf(" -> after clip_grad_norm_(max_norm 1): %.4g (was %.4g)\n", optim::grad_norm_report(params).total_norm,
              total);
}

}  // namespace

int main() {
  ravine();
  schedules();
  deep_chain(true, 1.0, "Sigmoid chain (g' <= 1/4): gradients vanish towards the first layers");
  deep_chain(false, 3.0, "ReLU chain with large weights (rho = 3): gradients explode");
  return 0;
}
