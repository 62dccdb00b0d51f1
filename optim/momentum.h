#pragma once
// The lecture's momentum: an exponentially weighted moving average of the gradients,
//   v ← β·v + (1 − β)·∇        (v starts at 0)
//   θ ← θ − lr·v̂,  v̂ = v / (1 − β^t) with bias_correction, else v
// How it relates to PyTorch's SGD(momentum = β, dampening = 0), whose buffer is b ← β·b + ∇:
// v = (1 − β)·b exactly, so EMAMomentum(lr) without bias correction takes the same steps as
// SGD(lr·(1 − β), momentum β). The lecture's form keeps the step size independent of β.
#include <array>

#include "optim/optimizer_with.h"
#include "optim/options.h"

namespace xg::optim {

// weight_decay adds weight_decay·θ to the gradient, as SGD.
#define XG_MOMENTUM_OPTIONS(option)             \
  option(double, lr, 0, rule::nonneg)           \
  option(double, beta, 0.9, rule::unit)         \
  option(bool, bias_correction, false)          \
  option(double, weight_decay, 0, rule::nonneg)

struct MomentumOptions : public OptimizerOptionsFor<MomentumOptions> {
  static constexpr const char* kOptimizerName = "EMAMomentum";
  MomentumOptions(double lr);  // NOLINT: implicit, as the other options
  XG_OPTIONS(MomentumOptions, XG_MOMENTUM_OPTIONS)
};

class EMAMomentum : public OptimizerWith<EMAMomentum, MomentumOptions> {
 public:
  using OptimizerWith::OptimizerWith;
  static constexpr std::array kBufferNames{"velocity"};
  static void update_param(Tensor& p, const Tensor& grad, ParamState& state, const MomentumOptions& o);
};

}  // namespace xg::optim
